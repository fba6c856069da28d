import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button, Form, Input, Label, TextField } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { RestError } from '@conclave/client/rest';
import type { TotpEnrolment } from '@conclave/protocol';
import { authClient } from '../session';
import { CopyButton } from './copy-button';
import { QrImage } from './qr-image';

/** The key as people type it: groups of four characters. */
export function groupKey(secret: string): string {
  return (secret.replace(/=+$/, '').match(/.{1,4}/g) ?? []).join(' ');
}

/**
 * TOTP enrolment once started: the QR code and the key, the first code to confirm, then the recovery codes,
 * shown once, which the person must say they saved before going on.
 */
export function TotpSetup(props: {
  /** The step token of a forced enrolment, or the access token. */
  token: string;
  enrolment: TotpEnrolment;
  headingId: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [codes, setCodes] = useState<string[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  // The recovery codes replace the form: focus (and the screen reader) go to their heading.
  useEffect(() => {
    if (codes !== undefined) heading.current?.focus();
  }, [codes]);

  function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code')).replace(/\s+/g, '');
    setBusy(true);
    setError(undefined);
    authClient
      .confirmTotp(props.token, code)
      .then((reply) => setCodes(reply.recoveryCodes))
      .catch((e: unknown) =>
        setError(
          t(
            e instanceof RestError && (e.status === 400 || e.code === 'invalid_credentials')
              ? 'account.totp.badCode'
              : 'signIn.errors.unavailable',
          ),
        ),
      )
      .finally(() => setBusy(false));
  }

  if (codes !== undefined)
    return (
      <>
        <h1 id={props.headingId} ref={heading} tabIndex={-1}>
          {t('account.totp.recoveryTitle')}
        </h1>
        <p>{t('account.totp.recoveryIntro')}</p>
        <ul className="recovery-codes" aria-label={t('account.totp.recoveryList')}>
          {codes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <CopyButton text={codes.join('\n')} label={t('account.totp.copyCodes')} />
        <p className="confirm-saved">
          <input
            id="recovery-saved"
            type="checkbox"
            checked={saved}
            onChange={(event) => setSaved(event.target.checked)}
          />
          <label htmlFor="recovery-saved">{t('account.totp.saved')}</label>
        </p>
        <Button className="button primary" isDisabled={!saved} onPress={props.onDone}>
          {t('account.totp.continue')}
        </Button>
      </>
    );

  return (
    <>
      <h1 id={props.headingId} tabIndex={-1}>
        {t('account.totp.setupTitle')}
      </h1>
      <h2>{t('account.totp.scanTitle')}</h2>
      <QrImage text={props.enrolment.otpauthUri} label={t('account.totp.qrLabel')} />
      <h2>{t('account.totp.keyTitle')}</h2>
      <p className="hint">{t('account.totp.keyHint')}</p>
      <p className="totp-key">
        <code>{groupKey(props.enrolment.secret)}</code>
      </p>
      <CopyButton text={props.enrolment.secret} label={t('account.totp.copyKey')} />
      <h2>{t('account.totp.codeTitle')}</h2>
      {error !== undefined && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <Form onSubmit={confirm}>
        <TextField name="code" isRequired autoComplete="one-time-code" className="field">
          <Label>{t('account.totp.code')}</Label>
          <Input inputMode="numeric" />
        </TextField>
        <Button type="submit" className="button primary" isDisabled={busy}>
          {t('account.totp.confirm')}
        </Button>
      </Form>
    </>
  );
}
