import { ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { useScreenShare } from './use-screen-share';

/** "Share screen", shown only while the person holds the right to share. */
export function ScreenShareButton(props: { meeting: Meeting }) {
  const { t } = useTranslation();
  const share = useScreenShare(props.meeting);
  if (!share.allowed && !share.sharing) return null;
  return (
    <>
      <ToggleButton
        className="button secondary toggle"
        isSelected={share.sharing}
        onChange={(on) => void (on ? share.start() : share.stop())}
      >
        {t('stage.shareScreen')}
      </ToggleButton>
      {share.refused && (
        <p className="notice" role="status">
          {t('stage.shareRefused')}
        </p>
      )}
    </>
  );
}
