import { useState } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { MeetingSummary } from '@conclave/protocol';
import { editHref } from '../router';
import { roomsClient } from '../session';

/**
 * The organiser's "Edit" and "Cancel meeting" for one meeting of My meetings; cancelling asks for confirmation
 * first. `onChanged` reports what happened, to announce it and reload the list.
 */
export function OrganiserActions(props: {
  meeting: MeetingSummary;
  title: string;
  onChanged: (outcome: { kind: 'status' | 'alert'; text: string }) => void;
}) {
  const { t } = useTranslation();
  const { meeting, title, onChanged } = props;
  const [busy, setBusy] = useState(false);
  if (meeting.status === 'cancelled' || meeting.status === 'ended') return null;

  function cancel(close: () => void): void {
    setBusy(true);
    roomsClient
      .cancel(meeting.id)
      .then(
        () => onChanged({ kind: 'status', text: t('schedule.cancel.done', { title }) }),
        () => onChanged({ kind: 'alert', text: t('schedule.cancel.failed') }),
      )
      .finally(() => {
        setBusy(false);
        close();
      });
  }

  return (
    <>
      <Button
        className="button secondary"
        onPress={() => (location.hash = editHref(meeting.id))}
        aria-label={t('schedule.edit.label', { title })}
      >
        {t('schedule.edit.button')}
      </Button>
      {meeting.status === 'scheduled' && (
        <DialogTrigger>
          <Button className="button secondary" aria-label={t('schedule.cancel.label', { title })}>
            {t('schedule.cancel.button')}
          </Button>
          <ModalOverlay className="confirm-overlay" isDismissable>
            <Modal className="confirm-modal">
              <Dialog className="confirm-dialog" role="alertdialog">
                {({ close }) => (
                  <>
                    <Heading slot="title">{t('schedule.cancel.title', { title })}</Heading>
                    <p>{t('schedule.cancel.body')}</p>
                    <div className="actions">
                      <Button className="button danger" onPress={() => cancel(close)} isDisabled={busy}>
                        {t('schedule.cancel.confirm')}
                      </Button>
                      <Button className="button secondary" onPress={close} autoFocus>
                        {t('schedule.cancel.keep')}
                      </Button>
                    </div>
                  </>
                )}
              </Dialog>
            </Modal>
          </ModalOverlay>
        </DialogTrigger>
      )}
    </>
  );
}
