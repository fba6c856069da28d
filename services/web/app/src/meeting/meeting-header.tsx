import { useState } from 'react';
import { ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { MeetingView } from './use-meeting-view';

/** The meeting's title, classification, what is true of the encryption now, and the safety code. */
export function MeetingHeader(props: { title: string; classification: string | null; view: MeetingView }) {
  const { t } = useTranslation();
  const { status, safetyCode, reconnecting } = props.view;
  const [showCode, setShowCode] = useState(false);
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
          {t(`meeting.encryption.${status}`)}
        </div>
        <ToggleButton className="button secondary toggle" isSelected={showCode} onChange={setShowCode}>
          {t('meeting.safetyCode')}
        </ToggleButton>
      </div>
      <div role="status" className="notice">
        {reconnecting && t('meeting.reconnecting')}
      </div>
      {showCode && (
        <div className="safety-panel" role="region" aria-label={t('meeting.safetyCode')}>
          <p>{t('meeting.safetyCodeHelp')}</p>
          <p className="safety-code">{safetyCode ?? t('meeting.encryption.waiting')}</p>
        </div>
      )}
    </>
  );
}
