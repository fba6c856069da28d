import { useCallback, useEffect, useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { RestError } from '@conclave/client';
import type { MeetingSummary } from '@conclave/protocol';
import { InvitationActions } from '../invitation/invitation-actions';
import { OrganiserActions } from '../invitation/organiser-actions';
import { hrefOf, joinHref } from '../router';
import { roomsClient, useSession } from '../session';
import { takeScheduleNotice } from './schedule/schedule-notice';

/** Live meetings first, then by start time; meetings whose end has passed are left out. */
export function orderMeetings(meetings: readonly MeetingSummary[]): MeetingSummary[] {
  const now = Date.now();
  return meetings
    .filter((m) => m.status === 'live' || Date.parse(m.endsAt) > now)
    .sort(
      (a, b) =>
        Number(b.status === 'live') - Number(a.status === 'live') ||
        Date.parse(a.startsAt) - Date.parse(b.startsAt),
    );
}

type Load = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; meetings: MeetingSummary[] };

/** "My meetings": what I organise or am invited to, live first; an instant meeting for organisers. */
export function MyMeetings() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [notice, setNotice] = useState<{ kind: 'status' | 'alert'; text: string } | undefined>(() => {
    const text = takeScheduleNotice();
    return text !== undefined ? { kind: 'status', text } : undefined;
  });
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    roomsClient.listMine().then(
      (meetings) => setLoad({ state: 'ready', meetings: orderMeetings(meetings) }),
      () => setLoad({ state: 'failed' }),
    );
  }, []);
  useEffect(refresh, [refresh]);

  if (session.status !== 'signed-in') return null;
  const mayOrganise = session.me.roles.some((role) => role === 'organiser' || role === 'admin');
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  const hours = new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short' });
  const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

  function startInstant(): void {
    if (session.status !== 'signed-in') return;
    setBusy(true);
    setNotice(undefined);
    roomsClient
      .createInstant({
        title: t('meetings.instantTitle', { name: session.me.name }),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      })
      .then(
        () => {
          setNotice({ kind: 'status', text: t('meetings.instantCreated') });
          refresh();
        },
        (error: unknown) =>
          setNotice({
            kind: 'alert',
            text: t(
              error instanceof RestError && error.status === 403
                ? 'meetings.errors.forbidden'
                : 'meetings.errors.instant',
            ),
          }),
      )
      .finally(() => setBusy(false));
  }

  return (
    <section aria-labelledby="meetings-title">
      <div className="title-row">
        <h1 id="meetings-title" tabIndex={-1}>
          {t('meetings.title')}
        </h1>
        <div className="actions">
          <Button className="button secondary" onPress={refresh}>
            {t('meetings.refresh')}
          </Button>
          {mayOrganise && (
            <Button className="button secondary" onPress={() => (location.hash = hrefOf('schedule'))}>
              {t('schedule.newMeeting')}
            </Button>
          )}
          {mayOrganise && (
            <Button className="button primary" onPress={startInstant} isDisabled={busy}>
              {t('meetings.instant')}
            </Button>
          )}
        </div>
      </div>
      <p>{t('meetings.intro')}</p>
      <div role={notice?.kind ?? 'status'} className={notice?.kind === 'alert' ? 'error' : 'notice'}>
        {notice?.text}
      </div>
      {load.state === 'loading' && <p>{t('app.loading')}</p>}
      {load.state === 'failed' && (
        <p className="error" role="alert">
          {t('meetings.errors.load')}
        </p>
      )}
      {load.state === 'ready' && load.meetings.length === 0 && <p>{t('meetings.empty')}</p>}
      {load.state === 'ready' && load.meetings.length > 0 && (
        <ul className="meetings" aria-labelledby="meetings-title">
          {load.meetings.map((meeting) => {
            const start = new Date(meeting.startsAt);
            const end = new Date(meeting.endsAt);
            const live = meeting.status === 'live';
            const cancelled = meeting.status === 'cancelled';
            const title = meeting.title ?? t('meetings.titleHidden');
            return (
              <li key={meeting.id} className={live ? 'meeting live' : 'meeting'}>
                <h2>{meeting.title ?? t('meetings.titleHidden')}</h2>
                <p className="meeting-meta">
                  <span className={live ? 'badge live' : 'badge'}>
                    {t(
                      cancelled
                        ? 'schedule.cancelled'
                        : live
                          ? 'meetings.live'
                          : meeting.kind === 'instant'
                            ? 'meetings.notStarted'
                            : 'meetings.scheduled',
                    )}
                  </span>{' '}
                  {t('meetings.when', {
                    start: time.format(start),
                    end: sameDay(start, end) ? hours.format(end) : time.format(end),
                  })}
                </p>
                <p className="meeting-meta">
                  {t(`meetings.suite.${meeting.e2eeSuite}`)}
                  {meeting.classification !== null &&
                    ` · ${t('meetings.classification', { label: meeting.classification })}`}
                </p>
                <div className="meeting-join">
                  {!cancelled && (
                    <Button
                      className="button primary"
                      onPress={() => (location.hash = joinHref(meeting.id))}
                      aria-label={t('meetings.joinLabel', {
                        title: meeting.title ?? t('meetings.titleHidden'),
                      })}
                    >
                      {t('meetings.join')}
                    </Button>
                  )}
                  <InvitationActions meeting={meeting} title={title} />
                  {meeting.organiser === session.me.id && (
                    <OrganiserActions
                      meeting={meeting}
                      title={title}
                      onChanged={(outcome) => {
                        setNotice(outcome);
                        refresh();
                      }}
                    />
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
