import { useState } from 'react';
import { Button, ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { MeetingSummary } from '@conclave/protocol';
import { useStore } from '../store';
import type { DeviceKind, LocalMedia } from './local-media';
import { LevelMeter, VideoView } from './media-views';
import { playTestSound } from './test-sound';

/** Before entering: preview, level meter, device toggles and pickers, the classification, what happens next. */
export function PreJoin(props: {
  meeting: MeetingSummary;
  media: LocalMedia;
  busy: boolean;
  onEnter: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const media = useStore(props.media.store);
  const [playing, setPlaying] = useState(false);
  const toggle = (kind: DeviceKind, on: boolean) => {
    if (on) void props.media.turnOn(kind);
    else props.media.turnOff(kind);
  };
  const picker = (kind: DeviceKind) => {
    const devices = media.devices.filter(
      (device) => device.kind === (kind === 'camera' ? 'videoinput' : 'audioinput') && device.label !== '',
    );
    if (devices.length < 2) return null;
    const id = `picker-${kind}`;
    return (
      <div className="field">
        <label htmlFor={id}>{t(`prejoin.choose.${kind}`)}</label>
        <select
          id={id}
          value={(kind === 'camera' ? media.cameraId : media.microphoneId) ?? ''}
          onChange={(event) => void props.media.choose(kind, event.target.value)}
        >
          {devices.map((device) => (
            <option key={device.deviceId} value={device.deviceId}>
              {device.label}
            </option>
          ))}
        </select>
      </div>
    );
  };

  return (
    <section aria-labelledby="prejoin-title" className="prejoin">
      <h1 id="prejoin-title" tabIndex={-1}>
        {t('prejoin.title', { title: props.meeting.title ?? t('meetings.titleHidden') })}
      </h1>
      {props.meeting.classification !== null && (
        <p className="classification" role="note">
          {t('meetings.classification', { label: props.meeting.classification })}
        </p>
      )}
      <div className="prejoin-body">
        <div className="preview">
          {media.camera !== undefined ? (
            <VideoView track={media.camera} label={t('prejoin.preview')} mirrored />
          ) : (
            <p className="preview-off">{t('prejoin.cameraOff')}</p>
          )}
        </div>
        <div className="prejoin-controls">
          <div className="actions">
            <ToggleButton
              className="button secondary toggle"
              isSelected={media.camera !== undefined}
              onChange={(on) => toggle('camera', on)}
            >
              {t('prejoin.camera')}
            </ToggleButton>
            <ToggleButton
              className="button secondary toggle"
              isSelected={media.microphone !== undefined}
              onChange={(on) => toggle('microphone', on)}
            >
              {t('prejoin.microphone')}
            </ToggleButton>
          </div>
          {media.microphone !== undefined && (
            <LevelMeter track={media.microphone} label={t('prejoin.level')} />
          )}
          {picker('camera')}
          {picker('microphone')}
          <div className="actions">
            <Button
              className="button secondary"
              isDisabled={playing}
              onPress={() => {
                setPlaying(true);
                void playTestSound().finally(() => setPlaying(false));
              }}
            >
              {t('prejoin.testSound')}
            </Button>
            <p role="status" className="hint">
              {playing && t('prejoin.testSoundPlaying')}
            </p>
          </div>
          <div role="alert" className="error">
            {media.problem !== undefined &&
              t(`prejoin.problem.${media.problem.problem}`, {
                device: t(`prejoin.device.${media.problem.kind}`),
              })}
          </div>
          <p className="hint">{t('prejoin.devicesNote')}</p>
          <p>{t('prejoin.next')}</p>
          <div className="actions">
            <Button className="button primary" onPress={props.onEnter} isDisabled={props.busy}>
              {t('prejoin.enter')}
            </Button>
            <Button className="button secondary" onPress={props.onCancel}>
              {t('prejoin.back')}
            </Button>
          </div>
        </div>
      </div>
    </section>
  );
}
