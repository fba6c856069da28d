import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Button, ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { CHAT_MAX_CHARACTERS, type ChatRefusal } from './chat-limit';
import { LockIcon } from './lock-icon';
import { closePanel } from './panel-focus';
import type { ChatView } from './use-chat';

/** The chat panel: the end-to-end encrypted marker, the messages (name, time, text) and the message box. */
export function ChatPanel(props: { chat: ChatView }) {
  const { t, i18n } = useTranslation();
  const { chat } = props;
  const [draft, setDraft] = useState('');
  const [refusal, setRefusal] = useState<ChatRefusal | undefined>();
  const [busy, setBusy] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const time = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });

  useEffect(() => {
    box.current?.focus();
  }, []);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [chat.messages.length]);

  async function send(): Promise<void> {
    if (busy || draft.trim() === '') return;
    setBusy(true);
    const refused = await chat.send(draft);
    setBusy(false);
    setRefusal(refused);
    if (refused === undefined) setDraft('');
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };
  // Enter sends; Shift+Enter is a new line (and an IME composing text keeps its Enter).
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void send();
  };

  return (
    <section className="panel chat-panel" id="chat-panel" aria-labelledby="chat-title">
      <div className="panel-head">
        <h2 id="chat-title">{t('chat.title')}</h2>
        <Button className="button secondary" onPress={() => closePanel(chat.setOpen, 'chat-toggle')}>
          {t('chat.close')}
        </Button>
      </div>
      <p className="e2ee-marker">
        <LockIcon /> {t('chat.marker')}
      </p>
      {chat.messages.length === 0 ? (
        <p className="hint">{t('chat.empty')}</p>
      ) : (
        <ol className="chat-messages" aria-label={t('chat.messages')} ref={list}>
          {chat.messages.map((message) => (
            <li key={message.id} className={message.mine ? 'chat-message mine' : 'chat-message'}>
              <p className="chat-meta">
                <span className="chat-name">
                  {message.mine ? t('chat.you') : (message.name ?? t('meeting.someone'))}
                </span>{' '}
                <time dateTime={message.at.toISOString()}>{time.format(message.at)}</time>
              </p>
              <p className="chat-text">{message.text}</p>
            </li>
          ))}
        </ol>
      )}
      <form className="chat-form" onSubmit={onSubmit}>
        <label htmlFor="chat-message">{t('chat.message')}</label>
        <textarea
          id="chat-message"
          ref={box}
          rows={2}
          value={draft}
          aria-describedby="chat-hint"
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <p id="chat-hint" className="hint">
          {t('chat.hint')}
        </p>
        <Button type="submit" className="button primary" isDisabled={busy}>
          {t('chat.send')}
        </Button>
      </form>
      <div role="alert" className="error">
        {refusal !== undefined &&
          t(REFUSAL_KEYS[refusal], { max: CHAT_MAX_CHARACTERS.toLocaleString(i18n.language) })}
      </div>
    </section>
  );
}

const REFUSAL_KEYS: Record<ChatRefusal, string> = {
  'too-long': 'chat.tooLong',
  'rate-limited': 'chat.rateLimited',
  'not-allowed': 'chat.notAllowed',
  'not-ready': 'chat.notReady',
  'not-sent': 'chat.notSent',
};

/** The toolbar's chat toggle, with the number of unread messages in its name and on its badge. */
export function ChatToggle(props: { chat: ChatView }) {
  const { t } = useTranslation();
  const { chat } = props;
  return (
    <ToggleButton
      id="chat-toggle"
      className="button secondary toggle"
      isSelected={chat.open}
      onChange={chat.setOpen}
      aria-controls={chat.open ? 'chat-panel' : undefined}
      aria-label={chat.unread > 0 ? t('chat.toggleUnread', { count: chat.unread }) : t('chat.toggle')}
    >
      {t('chat.toggle')}
      {chat.unread > 0 && (
        <span className="unread-badge" aria-hidden="true">
          {chat.unread}
        </span>
      )}
    </ToggleButton>
  );
}
