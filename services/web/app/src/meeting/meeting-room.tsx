import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { useStore } from '../store';
import { Announcer } from './announcer';
import { ChatPanel, ChatToggle } from './chat-panel';
import { toggleDevice } from './device-toggle';
import type { LocalMedia } from './local-media';
import { LobbyPanel, LobbyToggle } from './lobby-panel';
import { MeetingHeader } from './meeting-header';
import { SecurityPanel } from './security-panel';
import { ShortcutsHelp } from './shortcuts-help';
import { Stage } from './stage';
import { Toolbar } from './toolbar';
import { useMembershipAnnouncements } from './use-announcements';
import { useChat } from './use-chat';
import { useMeetingView } from './use-meeting-view';
import { useSecurity } from './use-security';
import { useShortcuts } from './use-shortcuts';

/**
 * The meeting screen, composed of one component per job: header (title, classification, encryption, safety
 * code), stage (tiles), side panels, toolbar.
 */
export function MeetingRoom(props: {
  meeting: Meeting;
  media: LocalMedia;
  title: string;
  classification: string | null;
  onLeave: () => void;
}) {
  const { t } = useTranslation();
  const { meeting } = props;
  const local = useStore(props.media.store);
  const view = useMeetingView(meeting);
  const chat = useChat(meeting);
  const security = useSecurity(meeting);
  const [securityOpen, setSecurityOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  useMembershipAnnouncements(meeting);
  useShortcuts({
    microphone: () => void toggleDevice(meeting, props.media, 'microphone'),
    camera: () => void toggleDevice(meeting, props.media, 'camera'),
    // hand and participants: wired by the participants panel (their controls live there).
    chat: () => chat.setOpen(!chat.open),
    security: () => setSecurityOpen((open) => !open),
    toolbar: () => document.querySelector<HTMLElement>('.toolbar button')?.focus(),
    help: () => setHelpOpen(true),
  });

  return (
    <section aria-labelledby="meeting-title" className="meeting-room">
      <MeetingHeader
        title={props.title}
        classification={props.classification}
        view={view}
        securityOpen={securityOpen}
        onSecurityChange={setSecurityOpen}
      />
      <div className="meeting-body">
        <Stage view={view} local={local} />
        <aside className="side-panels">
          {securityOpen && (
            <SecurityPanel view={view} security={security} onClose={() => setSecurityOpen(false)} />
          )}
          {chat.open && <ChatPanel chat={chat} />}
          <LobbyPanel />
        </aside>
      </div>
      <Toolbar meeting={meeting} media={props.media} local={local} onLeave={props.onLeave}>
        <ChatToggle chat={chat} />
        <LobbyToggle />
        <Button className="button secondary" onPress={() => setHelpOpen(true)} aria-keyshortcuts="?">
          {t('shortcuts.open')}
        </Button>
      </Toolbar>
      <ShortcutsHelp isOpen={helpOpen} onOpenChange={setHelpOpen} />
      <Announcer />
    </section>
  );
}
