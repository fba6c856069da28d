import { useEffect, useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import type { LocalMedia } from './local-media';
import { useParticipantRequests } from './use-participant-requests';

/**
 * "The organiser asks you to unmute": a non-modal prompt; only the person's click turns the microphone back on
 * (resuming the producer the organiser paused, or publishing the microphone again).
 */
export function UnmutePrompt(props: { meeting: Meeting; media: LocalMedia }) {
  const { t } = useTranslation();
  const { meeting, media } = props;
  const { request, dismiss } = useParticipantRequests();
  const [failed, setFailed] = useState(false);
  const [mutedByOrganiser, setMuted] = useState(false);
  useEffect(
    () =>
      meeting.on('media', () =>
        setMuted(
          meeting
            .media()
            .some(
              (producer) =>
                producer.participantId === meeting.self?.participantId &&
                producer.source === 'microphone' &&
                producer.paused,
            ),
        ),
      ),
    [meeting],
  );

  const unmute = async () => {
    dismiss();
    try {
      if (await meeting.resume('microphone')) return;
      const track = media.store.get().microphone ?? (await media.turnOn('microphone'));
      if (track === undefined) throw new Error('no microphone');
      await meeting.unpublish('microphone');
      await meeting.publish('microphone', track);
      setFailed(false);
    } catch {
      setFailed(true);
    }
  };

  return (
    <div className="unmute-prompt">
      <p role="status">
        {request !== undefined ? t('powers.askedToUnmute') : mutedByOrganiser ? t('powers.youAreMuted') : ''}
      </p>
      {request !== undefined && (
        <div className="prompt-actions" role="group" aria-label={t('powers.askedToUnmute')}>
          <Button className="button" onPress={() => void unmute()}>
            {t('powers.unmute')}
          </Button>
          <Button className="button secondary" onPress={dismiss}>
            {t('powers.notNow')}
          </Button>
        </div>
      )}
      {failed && (
        <p role="alert" className="error">
          {t('powers.unmuteFailed')}
        </p>
      )}
    </div>
  );
}
