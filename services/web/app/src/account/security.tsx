import { useState, type FormEvent } from 'react';
import { Button, Form, Input, Label, TextField } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { RestError } from '@conclave/client/rest';
import type { TotpEnrolment } from '@conclave/protocol';
import { accessToken, authClient, sessionStore, useSession } from '../session';
import { TotpSetup } from './totp-setup';

/** The signed-in person's security settings: two-step verification, set up with the password again. */
export function Security() {
  const { t } = useTranslation();
  const session = useSession();
  const [setup, setSetup] = useState<{ token: string; enrolment: TotpEnrolment } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  if (session.status !== 'signed-in') return null;
  const { me } = session;

  function start(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password'));
    setBusy(true);
    setError(undefined);
    void (async () => {
      const token = await accessToken();
      setSetup({ token, enrolment: await authClient.enrolTotp(token, password) });
    })()
      .catch((e: unknown) =>
        setError(
          t(
            e instanceof RestError && e.code === 'invalid_credentials'
              ? 'account.security.wrongPassword'
              : e instanceof RestError && (e.code === 'rate_limited' || e.code === 'account_locked')
                ? 'signIn.errors.throttled'
                : 'signIn.errors.unavailable',
          ),
        ),
      )
      .finally(() => setBusy(false));
  }

  if (setup !== undefined)
    return (
      <section className="card narrow" aria-labelledby="security-title">
        <TotpSetup
          token={setup.token}
          enrolment={setup.enrolment}
          headingId="security-title"
          onDone={() => {
            setSetup(undefined);
            setDone(true);
            sessionStore.set((s) =>
              s.status === 'signed-in' ? { ...s, me: { ...s.me, totpEnabled: true } } : s,
            );
          }}
        />
      </section>
    );

  const external = me.amr.includes('oidc') || me.amr.includes('saml');
  return (
    <section className="card narrow" aria-labelledby="security-title">
      <h1 id="security-title" tabIndex={-1}>
        {t('account.security.title')}
      </h1>
      <h2>{t('account.security.totpHeading')}</h2>
      {done && (
        <p className="notice" role="status">
          {t('account.security.done')}
        </p>
      )}
      {me.totpEnabled ? (
        <p>{t('account.security.on')}</p>
      ) : external ? (
        <p>{t('account.security.sso')}</p>
      ) : (
        <>
          <p>{t('account.security.off')}</p>
          <p className="hint">{t('account.totp.appHint')}</p>
          {error !== undefined && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <Form onSubmit={start}>
            <TextField
              name="password"
              type="password"
              isRequired
              autoComplete="current-password"
              className="field"
            >
              <Label>{t('account.security.password')}</Label>
              <Input />
            </TextField>
            <Button type="submit" className="button primary" isDisabled={busy}>
              {t('account.totp.start')}
            </Button>
          </Form>
        </>
      )}
    </section>
  );
}
