import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RestError } from '@conclave/client';
import type { MeetingView } from '@conclave/protocol';
import { navigate } from '../../router';
import { roomsClient, useSession } from '../../session';
import { MeetingForm } from './meeting-form';
import {
  editRequest,
  newMeetingValues,
  scheduleRequest,
  valuesOf,
  type MeetingFormValues,
} from './meeting-form-model';
import { leaveScheduleNotice } from './schedule-notice';
import { browserTimeZone } from './zoned-time';

type Load =
  { state: 'loading' } | { state: 'failed'; code: string } | { state: 'ready'; meeting?: MeetingView };

/** `#/schedule` (a new meeting) and `#/meetings/{id}/edit` (one the caller organises). */
export function ScheduleScreen(props: { meetingId?: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const [load, setLoad] = useState<Load>(
    props.meetingId === undefined ? { state: 'ready' } : { state: 'loading' },
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (props.meetingId === undefined) return;
    roomsClient.get(props.meetingId).then(
      (meeting) => setLoad({ state: 'ready', meeting }),
      (e: unknown) => setLoad({ state: 'failed', code: e instanceof RestError ? e.code : 'unexpected' }),
    );
  }, [props.meetingId]);

  if (session.status !== 'signed-in') return null;
  const editing = props.meetingId !== undefined;
  const heading = (
    <h1 id="schedule-title" tabIndex={-1}>
      {t(editing ? 'schedule.edit.title' : 'schedule.title')}
    </h1>
  );
  if (load.state === 'loading')
    return (
      <section aria-labelledby="schedule-title">
        {heading}
        <p role="status">{t('app.loading')}</p>
      </section>
    );
  if (load.state === 'failed')
    return (
      <section aria-labelledby="schedule-title">
        {heading}
        <p role="alert" className="error">
          {t(load.code === 'not_found' ? 'schedule.errors.notFound' : 'schedule.errors.load')}
        </p>
      </section>
    );

  const meeting = load.meeting;
  const mayChangeCoOrganisers = meeting === undefined || meeting.organiser === session.me.id;

  function submit(values: MeetingFormValues): void {
    setBusy(true);
    setError(undefined);
    const done =
      meeting === undefined
        ? roomsClient
            .schedule(scheduleRequest(values))
            .then((m) => t('schedule.scheduled', { title: m.title }))
        : roomsClient
            .edit(meeting.id, editRequest(values, meeting, mayChangeCoOrganisers))
            .then((m) => t('schedule.edit.saved', { title: m.title }));
    done.then(
      (text) => {
        leaveScheduleNotice(text);
        navigate('meetings');
      },
      (e: unknown) => {
        setBusy(false);
        setError(t(refusalKey(e)));
      },
    );
  }

  return (
    <section aria-labelledby="schedule-title" className="schedule">
      {heading}
      <p>{t(editing ? 'schedule.edit.intro' : 'schedule.intro')}</p>
      <div role="alert" className="error">
        {error}
      </div>
      <MeetingForm
        initial={meeting !== undefined ? valuesOf(meeting) : newMeetingValues(new Date(), browserTimeZone())}
        submitLabel={t(editing ? 'schedule.edit.submit' : 'schedule.submit')}
        coOrganisers={mayChangeCoOrganisers}
        suiteLocked={meeting !== undefined && meeting.status !== 'scheduled'}
        busy={busy}
        onSubmit={submit}
      />
    </section>
  );
}

/** The message for a refusal from room control (a key under `schedule.errors`). */
function refusalKey(error: unknown): string {
  if (!(error instanceof RestError)) return 'schedule.errors.save';
  switch (error.code) {
    case 'role_missing':
    case 'not_organiser':
      return 'schedule.errors.forbidden';
    case 'e2ee_suite_locked':
      return 'schedule.errors.suiteLocked';
    case 'meeting_ended':
    case 'meeting_cancelled':
      return 'schedule.errors.over';
    case 'bad_request':
      return 'schedule.errors.rejected';
    default:
      return 'schedule.errors.save';
  }
}
