import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { useStore } from '../store';
import { Announcer } from './announcer';
import { ChatPanel, ChatToggle } from './chat-panel';
import { toggleDevice } from './device-toggle';
import type { LocalMedia } from './local-media';
import { HandToggle, toggleHand } from './hand-toggle';
import { LobbyPanel, LobbyToggle } from './lobby-panel';
import { MeetingHeader } from './meeting-header';
import { ParticipantsPanel } from './participants-panel';
import { toggleParticipantsPanel } from './participants-panel-state';
import { ParticipantsToggle } from './participants-toggle';
import { SecurityPanel } from './security-panel';
import { ShortcutsHelp } from './shortcuts-help';
import { Stage } from './stage';
import { Toolbar } from './toolbar';
import { useMembershipAnnouncements } from './use-announcements';
import { useChat } from './use-chat';
import { useMeetingView } from './use-meeting-view';
import { useSecurity } from './use-security';
import { useShortcuts } from './use-shortcuts';
import { UnmutePrompt } from './unmute-prompt';

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
    hand: () => toggleHand(meeting),
    participants: toggleParticipantsPanel,
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
      <UnmutePrompt meeting={meeting} media={props.media} />
      <div className="meeting-body">
        <Stage meeting={meeting} view={view} local={local} />
        <aside className="side-panels">
          {securityOpen && (
            <SecurityPanel view={view} security={security} onClose={() => setSecurityOpen(false)} />
          )}
          {chat.open && <ChatPanel chat={chat} />}
          <ParticipantsPanel meeting={meeting} view={view} />
          <LobbyPanel />
        </aside>
      </div>
      <Toolbar meeting={meeting} media={props.media} local={local} onLeave={props.onLeave}>
        <HandToggle meeting={meeting} />
        <ParticipantsToggle meeting={meeting} />
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
