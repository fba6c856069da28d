import { ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { LockIcon } from './lock-icon';
import type { MeetingView } from './use-meeting-view';

/** The meeting's title, classification, what is true of the encryption now (the lock), and the security toggle. */
export function MeetingHeader(props: {
  title: string;
  classification: string | null;
  view: MeetingView;
  securityOpen: boolean;
  onSecurityChange: (open: boolean) => void;
}) {
  const { t } = useTranslation();
  const { status, reconnecting } = props.view;
  return (
    <>
      <div className="meeting-header">
        <h1 id="meeting-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.classification !== null && (
          <p className="classification" role="note">
            {t('meetings.classification', { label: props.classification })}
          </p>
        )}
        <div className={`encryption ${status}`} role="status">
          <LockIcon open={status === 'failed'} /> {t(`meeting.encryption.${status}`)}
        </div>
        <ToggleButton
          id="security-toggle"
          className="button secondary toggle"
          isSelected={props.securityOpen}
          onChange={props.onSecurityChange}
          aria-controls={props.securityOpen ? 'security-panel' : undefined}
        >
          {t('security.toggle')}
        </ToggleButton>
      </div>
      <div role="status" className="notice">
        {reconnecting && t('meeting.reconnecting')}
      </div>
    </>
  );
}
