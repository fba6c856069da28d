import { useEffect, useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { MeetingSummary } from '@conclave/protocol';
import { meetingIcs } from './ics';
import { icsFileName, joinLink, meetingWhen } from './invitation-text';

const CONFIRMATION_MS = 6000;

/**
 * "Copy invitation" (link, title and time in the reader's language, nothing secret) and "Add to calendar" (an
 * `.ics` made in the browser) for one meeting of My meetings.
 */
export function InvitationActions(props: { meeting: MeetingSummary; title: string }) {
  const { t, i18n } = useTranslation();
  const { meeting, title } = props;
  const [status, setStatus] = useState('');
  const link = joinLink(location.origin, meeting.id);

  useEffect(() => {
    if (status === '') return;
    const timer = setTimeout(() => setStatus(''), CONFIRMATION_MS);
    return () => clearTimeout(timer);
  }, [status]);

  function copy(): void {
    const text = t('schedule.invitation.text', {
      title,
      when: meetingWhen(meeting, i18n.language),
      link,
    });
    navigator.clipboard.writeText(text).then(
      () => setStatus(t('schedule.invitation.copied')),
      () => setStatus(t('schedule.invitation.copyFailed')),
    );
  }

  function download(): void {
    const ics = meetingIcs({
      id: meeting.id,
      domain: location.hostname,
      title,
      startsAt: new Date(meeting.startsAt),
      endsAt: new Date(meeting.endsAt),
      url: link,
      description: t('schedule.invitation.calendarDescription', { link }),
      cancelled: meeting.status === 'cancelled',
      now: new Date(),
    });
    const url = URL.createObjectURL(new Blob([ics], { type: 'text/calendar;charset=utf-8' }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = icsFileName(title);
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setStatus(t('schedule.invitation.downloaded'));
  }

  return (
    <>
      {meeting.status !== 'cancelled' && (
        <Button
          className="button secondary"
          onPress={copy}
          aria-label={t('schedule.invitation.copyLabel', { title })}
        >
          {t('schedule.invitation.copy')}
        </Button>
      )}
      <Button
        className="button secondary"
        onPress={download}
        aria-label={t('schedule.invitation.calendarLabel', { title })}
      >
        {t('schedule.invitation.calendar')}
      </Button>
      <span role="status" className="invitation-status">
        {status}
      </span>
    </>
  );
}
