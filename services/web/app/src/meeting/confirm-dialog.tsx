import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';

/** What a destructive action asks before it happens. */
export interface Confirmation {
  question: string;
  confirm: string;
  run: () => void;
}

/** A modal question with the action and Cancel (Escape cancels too); focus returns where it was. */
export function ConfirmDialog(props: { confirmation: Confirmation | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const { confirmation } = props;
  return (
    <ModalOverlay
      className="modal-overlay"
      isOpen={confirmation !== undefined}
      isDismissable
      onOpenChange={(open) => !open && props.onClose()}
    >
      <Modal className="modal">
        <Dialog className="dialog" role="alertdialog">
          {confirmation !== undefined && (
            <>
              <Heading slot="title">{confirmation.question}</Heading>
              <div className="dialog-actions">
                <Button className="button secondary" onPress={props.onClose} autoFocus>
                  {t('powers.cancel')}
                </Button>
                <Button
                  className="button danger"
                  onPress={() => {
                    props.onClose();
                    confirmation.run();
                  }}
                >
                  {confirmation.confirm}
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
