import type { ReactNode } from 'react';
import { Button, ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import type { DeviceKind, LocalMedia, LocalMediaState } from './local-media';

/** The meeting's controls: microphone, camera, leave (each feature adds its own control here). */
export function Toolbar(props: {
  meeting: Meeting;
  media: LocalMedia;
  local: LocalMediaState;
  onLeave: () => void;
  /** Each feature's own controls (chat…), placed before "Leave". */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const { meeting } = props;

  const toggle = async (kind: DeviceKind, on: boolean) => {
    if (on) {
      const track = await props.media.turnOn(kind);
      if (track !== undefined) await meeting.publish(kind, track).catch(() => undefined);
    } else {
      await meeting.unpublish(kind).catch(() => undefined);
      props.media.turnOff(kind);
    }
  };

  return (
    <div className="toolbar" role="group" aria-label={t('meeting.toolbar')}>
      <ToggleButton
        className="button secondary toggle"
        isSelected={props.local.microphone !== undefined}
        onChange={(on) => void toggle('microphone', on)}
      >
        {t('prejoin.microphone')}
      </ToggleButton>
      <ToggleButton
        className="button secondary toggle"
        isSelected={props.local.camera !== undefined}
        onChange={(on) => void toggle('camera', on)}
      >
        {t('prejoin.camera')}
      </ToggleButton>
      {props.children}
      <Button className="button danger" onPress={props.onLeave}>
        {t('meeting.leave')}
      </Button>
    </div>
  );
}
