import { Fragment } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { SHORTCUTS } from './shortcut-keys';

/** The list of keyboard shortcuts, in a modal dialog (opened with "?" or its button). */
export function ShortcutsHelp(props: { isOpen: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation();
  return (
    <ModalOverlay
      className="modal-overlay"
      isOpen={props.isOpen}
      onOpenChange={props.onOpenChange}
      isDismissable
    >
      <Modal className="modal">
        <Dialog className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title">{t('shortcuts.title')}</Heading>
              <p>{t('shortcuts.intro')}</p>
              <table className="shortcuts">
                <thead>
                  <tr>
                    <th scope="col">{t('shortcuts.key')}</th>
                    <th scope="col">{t('shortcuts.action')}</th>
                  </tr>
                </thead>
                <tbody>
                  {SHORTCUTS.map(({ action, keys }) => (
                    <tr key={action}>
                      <td>
                        {keys.map((key, index) => (
                          <Fragment key={key}>
                            {index > 0 && ` ${t('shortcuts.or')} `}
                            <kbd>{key}</kbd>
                          </Fragment>
                        ))}
                      </td>
                      <td>{t(`shortcuts.${action}`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Button className="button primary" onPress={close}>
                {t('shortcuts.close')}
              </Button>
            </>
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
