import type { Meeting } from '@conclave/client';
import type { LocalMediaState } from './local-media';
import { StageView } from './stage/stage-view';
import type { MeetingView } from './use-meeting-view';

/** The tiles: layouts, pin, pages, active speaker, shared screen (see `stage/`). */
export function Stage(props: { meeting: Meeting; view: MeetingView; local: LocalMediaState }) {
  return <StageView meeting={props.meeting} view={props.view} local={props.local} />;
}
