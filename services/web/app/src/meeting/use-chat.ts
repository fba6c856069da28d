import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { announce } from './announcer';
import { chatRefusalOf, checkChatMessage, type ChatRefusal } from './chat-limit';
import { displayNameOf } from './use-meeting-view';

/** One message as shown: who (from the encrypted group's roster, at the time it arrived), when, what. */
export interface ChatEntry {
  id: number;
  name: string | undefined;
  mine: boolean;
  text: string;
  at: Date;
}

export interface ChatView {
  messages: readonly ChatEntry[];
  /** Messages from others that arrived while the panel was closed. */
  unread: number;
  open: boolean;
  setOpen(open: boolean): void;
  /** Sends a message; resolves with why it was refused, or undefined once it went. */
  send(text: string): Promise<ChatRefusal | undefined>;
}

/** Longest part of a message read out by a screen reader (the panel shows it whole). */
const ANNOUNCED_CHARACTERS = 200;

/**
 * The meeting's chat, in memory only: it lives as long as the meeting screen and is gone on every exit
 * (leaving, removal, end). Messages are MLS application messages (end-to-end encrypted by the Meeting).
 */
export function useChat(meeting: Meeting): ChatView {
  const { t } = useTranslation();
  const [messages, setMessages] = useState<ChatEntry[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpenState] = useState(false);
  const openRef = useRef(open);
  const nextId = useRef(0);

  useEffect(() => {
    const offs = [
      meeting.on('chat', (message) => {
        const mine = message.from === meeting.self?.participantId;
        const name = displayNameOf(meeting.people(), message.from);
        setMessages((list) => [
          ...list,
          { id: nextId.current++, name, mine, text: message.text, at: new Date() },
        ]);
        if (mine) return;
        if (!openRef.current) setUnread((count) => count + 1);
        announce(
          t('chat.announce', {
            name: name ?? t('meeting.someone'),
            text: [...message.text].slice(0, ANNOUNCED_CHARACTERS).join(''),
          }),
        );
      }),
      meeting.on('ended', () => {
        setMessages([]);
        setUnread(0);
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [meeting, t]);

  const setOpen = (next: boolean) => {
    openRef.current = next;
    setOpenState(next);
    if (next) setUnread(0);
  };

  return {
    messages,
    unread,
    open,
    setOpen,
    async send(text) {
      const refused = checkChatMessage(text);
      if (refused !== undefined) return refused;
      try {
        await meeting.sendChat(text);
        return undefined;
      } catch (error) {
        return chatRefusalOf(error);
      }
    },
  };
}
