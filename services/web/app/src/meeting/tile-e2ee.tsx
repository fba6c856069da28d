import { useTranslation } from 'react-i18next';
import { participantState } from './encryption-status';
import { LockIcon } from './lock-icon';
import type { MeetingView } from './use-meeting-view';

/** A tile's word on its media's encryption: "encrypted", "waiting for key" or "cannot decrypt". */
export function TileE2ee(props: { view: MeetingView; participantId: string }) {
  const { t } = useTranslation();
  const { view } = props;
  const state = participantState(
    props.participantId,
    view.safetyCode !== undefined,
    view.states,
    view.members,
  );
  return (
    <p className={`tile-e2ee ${state}`}>
      <LockIcon open={state === 'failed'} /> {t(`security.state.${state}`)}
    </p>
  );
}
