import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';

/** A button that copies `text`, saying (politely) whether it worked. */
export function CopyButton(props: { text: string; label: string }) {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<'copied' | 'failed' | undefined>();
  return (
    <span className="copy">
      <Button
        className="button secondary"
        onPress={() => {
          navigator.clipboard.writeText(props.text).then(
            () => setOutcome('copied'),
            () => setOutcome('failed'),
          );
        }}
      >
        {props.label}
      </Button>
      <span role="status" className="hint">
        {outcome === 'copied'
          ? t('account.totp.copied')
          : outcome === 'failed'
            ? t('account.totp.copyFailed')
            : ''}
      </span>
    </span>
  );
}
