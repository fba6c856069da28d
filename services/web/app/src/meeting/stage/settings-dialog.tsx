import { useId } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { useStore } from '../../store';
import type { DeviceKind, LocalMedia } from '../local-media';
import { speakerOutput } from './speaker-output';
import { switchDevice } from './switch-device';

/** One native select of devices with its label. */
function DevicePicker(props: {
  label: string;
  devices: MediaDeviceInfo[];
  value: string;
  onChange: (deviceId: string) => void;
  defaultLabel?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {props.defaultLabel !== undefined && <option value="">{props.defaultLabel}</option>}
        {props.devices.map((device, index) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label !== '' ? device.label : `${props.label} ${index + 1}`}
          </option>
        ))}
      </select>
    </div>
  );
}

/** "Settings": microphone, camera and loudspeaker pickers, switching devices without leaving the call. */
export function SettingsDialog(props: { meeting: Meeting; media: LocalMedia }) {
  const { t } = useTranslation();
  const local = useStore(props.media.store);
  const output = useStore(speakerOutput);
  const of = (kind: MediaDeviceKind) => local.devices.filter((device) => device.kind === kind);
  const current = (kind: DeviceKind) =>
    (kind === 'camera' ? local.cameraId : local.microphoneId) ?? local[kind]?.getSettings().deviceId ?? '';
  const choose = (kind: DeviceKind) => (deviceId: string) =>
    void switchDevice(props.meeting, props.media, kind, deviceId);
  return (
    <DialogTrigger onOpenChange={(open) => open && void props.media.listDevices()}>
      <Button className="button secondary">{t('stage.settings')}</Button>
      <Modal className="stage-modal" isDismissable>
        <Dialog className="stage-dialog">
          {({ close }) => (
            <>
              <Heading slot="title">{t('stage.settings')}</Heading>
              <DevicePicker
                label={t('stage.microphone')}
                devices={of('audioinput')}
                value={current('microphone')}
                onChange={choose('microphone')}
              />
              <DevicePicker
                label={t('stage.camera')}
                devices={of('videoinput')}
                value={current('camera')}
                onChange={choose('camera')}
              />
              <DevicePicker
                label={t('stage.speaker')}
                devices={of('audiooutput')}
                value={output.deviceId ?? ''}
                defaultLabel={t('stage.systemDefault')}
                onChange={(deviceId) =>
                  speakerOutput.set({ deviceId: deviceId === '' ? undefined : deviceId })
                }
              />
              <Button className="button primary" onPress={close}>
                {t('stage.close')}
              </Button>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}
