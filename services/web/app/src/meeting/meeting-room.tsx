import type { Meeting } from '@conclave/client';
import { useStore } from '../store';
import type { LocalMedia } from './local-media';
import { LobbyPanel } from './lobby-panel';
import { MeetingHeader } from './meeting-header';
import { Stage } from './stage';
import { Toolbar } from './toolbar';
import { useMeetingView } from './use-meeting-view';

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
  const { meeting } = props;
  const local = useStore(props.media.store);
  const view = useMeetingView(meeting);

  return (
    <section aria-labelledby="meeting-title" className="meeting-room">
      <MeetingHeader title={props.title} classification={props.classification} view={view} />
      <div className="meeting-body">
        <Stage view={view} local={local} />
        <aside className="side-panels">
          {/* Side panels (participants, chat, security, lobby) go here. */}
          <LobbyPanel />
        </aside>
      </div>
      <Toolbar meeting={meeting} media={props.media} local={local} onLeave={props.onLeave} />
    </section>
  );
}
