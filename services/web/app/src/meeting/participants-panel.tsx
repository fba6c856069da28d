import { useState } from 'react';
import { Button, ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { roomsClient } from '../session';
import { useStore } from '../store';
import { ConfirmDialog, type Confirmation } from './confirm-dialog';
import { raisedHands } from './hands-state';
import { HandBadge } from './hand-toggle';
import { closePanel } from './panel-focus';
import { participantsPanelOpen } from './participants-panel-state';
import type { MeetingView } from './use-meeting-view';
import { useParticipants, type PanelEntry } from './use-participants';

/** The participants panel (when its toolbar toggle is on). */
export function ParticipantsPanel(props: { meeting: Meeting; view: MeetingView }) {
  const open = useStore(participantsPanelOpen);
  return open ? <Panel {...props} /> : null;
}

/**
 * Everyone in the encrypted group with their E2EE state, role, microphone and camera; for organisers and
 * co-organisers, every power over each participant and over the meeting (destructive ones ask first).
 */
function Panel(props: { meeting: Meeting; view: MeetingView }) {
  const { t } = useTranslation();
  const { entries, myRole, locked, refresh } = useParticipants(props.meeting, props.view);
  const [confirmation, setConfirmation] = useState<Confirmation | undefined>();
  const [done, setDone] = useState('');
  const [problem, setProblem] = useState('');
  const meetingId = props.meeting.self?.roomId;
  const organiser = myRole === 'organiser' || myRole === 'co-organiser';
  const hands = useStore(raisedHands);

  const act = (announce: string, call: (meetingId: string) => Promise<unknown>) => {
    if (meetingId === undefined) return;
    setProblem('');
    call(meetingId).then(
      () => {
        setDone(announce);
        refresh();
      },
      (error: unknown) => {
        const code = (error as { code?: unknown }).code;
        setProblem(t(code === 'organiser_protected' ? 'powers.protected' : 'powers.failed'));
      },
    );
  };
  const ask = (question: string, confirm: string, run: () => void) =>
    setConfirmation({ question, confirm, run });

  const powersOver = (entry: PanelEntry) => {
    const name = entry.name;
    const id = entry.participantId;
    return (
      <div className="participant-powers" role="group" aria-label={t('powers.actionsFor', { name })}>
        {hands.has(id) && (
          <Button
            className="button secondary small"
            onPress={() => act(t('hands.doneLower', { name }), (m) => roomsClient.lowerHand(m, id))}
          >
            {t('hands.lower', { name })}
          </Button>
        )}
        {entry.microphone === 'on' ? (
          <Button
            className="button secondary small"
            onPress={() => act(t('powers.done.mute', { name }), (m) => roomsClient.mute(m, id))}
          >
            {t('powers.mute', { name })}
          </Button>
        ) : (
          <Button
            className="button secondary small"
            onPress={() => act(t('powers.done.askUnmute', { name }), (m) => roomsClient.askUnmute(m, id))}
          >
            {t('powers.askUnmute', { name })}
          </Button>
        )}
        <Button
          className="button secondary small"
          onPress={() =>
            act(
              t(entry.mayUseCamera ? 'powers.done.cameraOff' : 'powers.done.cameraAllowed', { name }),
              (m) => roomsClient.setCamera(m, id, !entry.mayUseCamera),
            )
          }
        >
          {t(entry.mayUseCamera ? 'powers.cameraOff' : 'powers.cameraAllow', { name })}
        </Button>
        <Button
          className="button secondary small"
          onPress={() =>
            act(t(entry.mayShare ? 'powers.done.shareTaken' : 'powers.done.shareGranted', { name }), (m) =>
              roomsClient.setShare(m, id, !entry.mayShare),
            )
          }
        >
          {t(entry.mayShare ? 'powers.shareTake' : 'powers.shareGrant', { name })}
        </Button>
        {entry.role === 'participant' && (
          <Button
            className="button secondary small"
            onPress={() =>
              ask(t('powers.promoteQuestion', { name }), t('powers.promoteConfirm'), () =>
                act(t('powers.done.promote', { name }), (m) => roomsClient.promote(m, id)),
              )
            }
          >
            {t('powers.promote', { name })}
          </Button>
        )}
        <Button
          className="button danger small"
          onPress={() =>
            ask(t('powers.removeQuestion', { name }), t('powers.removeConfirm'), () =>
              act(t('powers.done.remove', { name }), (m) => roomsClient.remove(m, id)),
            )
          }
        >
          {t('powers.remove', { name })}
        </Button>
      </div>
    );
  };

  return (
    <section className="panel participants-panel" aria-labelledby="participants-panel-title">
      <div className="panel-head">
        <h2 id="participants-panel-title">{t('powers.title')}</h2>
        <Button
          className="button secondary"
          onPress={() => closePanel((open) => participantsPanelOpen.set(open), 'participants-toggle')}
        >
          {t('powers.close')}
        </Button>
      </div>
      <ul className="participant-list">
        {entries.map((entry) => (
          <li key={entry.participantId} className="participant">
            <p className="participant-name">
              {entry.self ? t('powers.you', { name: entry.name }) : entry.name}
              {entry.role !== 'participant' && (
                <span className="badge">{t(`powers.role.${entry.role}`)}</span>
              )}
            </p>
            <p className="participant-state">
              <span className={`e2ee ${entry.e2ee}`}>{t(`powers.e2ee.${entry.e2ee}`)}</span>
              <span>{t(`powers.microphone.${entry.microphone}`)}</span>
              <span>{t(entry.camera ? 'powers.camera.on' : 'powers.camera.off')}</span>
              {entry.sharing && <span>{t('powers.sharing')}</span>}
              <HandBadge participantId={entry.participantId} />
            </p>
            {organiser && !entry.self && entry.role !== 'organiser' && powersOver(entry)}
          </li>
        ))}
      </ul>
      {organiser && (
        <div className="meeting-powers" role="group" aria-label={t('powers.meetingActions')}>
          <ToggleButton
            className="button secondary toggle"
            isSelected={locked === true}
            isDisabled={locked === undefined}
            onChange={(lock) =>
              act(t(lock ? 'powers.done.locked' : 'powers.done.unlocked'), (m) =>
                roomsClient.setLocked(m, lock),
              )
            }
          >
            {t('powers.lock')}
          </ToggleButton>
          <Button
            className="button secondary"
            isDisabled={hands.size === 0}
            onPress={() => act(t('hands.doneLowerAll'), (m) => roomsClient.lowerAllHands(m))}
          >
            {t('hands.lowerAll')}
          </Button>
          <Button
            className="button danger"
            onPress={() =>
              ask(t('powers.endQuestion'), t('powers.endConfirm'), () =>
                act(t('powers.done.end'), (m) => roomsClient.end(m)),
              )
            }
          >
            {t('powers.end')}
          </Button>
        </div>
      )}
      <p role="status" className="notice">
        {done}
      </p>
      <p role="alert" className="error">
        {problem}
      </p>
      <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(undefined)} />
    </section>
  );
}
