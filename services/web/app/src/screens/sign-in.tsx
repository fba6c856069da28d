import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button, Form, Input, Label, Link, Text, TextField } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { RestError } from '@conclave/client/rest';
import type { TotpEnrolment } from '@conclave/protocol';
import { LazyTotpSetup } from '../lazy-screens';
import { retryMessage } from '../account/retry-message';
import { SsoButtons } from '../account/sso-buttons';
import { hrefOf } from '../router';
import { authClient, signedIn, useSession } from '../session';

type Step =
  | { kind: 'credentials' }
  | { kind: 'totp'; username: string; password: string; enrolled?: boolean }
  | { kind: 'new-password'; username: string; stepToken: string }
  | { kind: 'enrolment-required'; username: string; password: string; stepToken: string }
  | { kind: 'enrol'; username: string; password: string; stepToken: string; enrolment: TotpEnrolment };

/**
 * Which message a refusal shows. Unknown user, wrong password, locked or disabled account all read the same, so
 * the page never tells whether an account exists.
 */
function errorKey(error: unknown, step: Step['kind']): string {
  if (!(error instanceof RestError)) return 'signIn.errors.unavailable';
  switch (error.code) {
    case 'rate_limited':
      return 'signIn.errors.throttled';
    case 'weak_password':
      return 'signIn.errors.weakPassword';
    case 'invalid_token':
    case 'not_authenticated':
      return step === 'new-password' ? 'signIn.errors.expired' : 'signIn.errors.generic';
    case 'network_error':
    case 'unexpected_reply':
    case 'service_unavailable':
    case 'directory_unavailable':
    case 'internal_error':
      return 'signIn.errors.unavailable';
    default:
      return step === 'totp' ? 'signIn.errors.totp' : 'signIn.errors.generic';
  }
}

/** Sign-in: user name and password, then the TOTP code or a new password when the service asks for one. */
export function SignIn() {
  const { t } = useTranslation();
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const section = useRef<HTMLElement>(null);
  const session = useSession();

  // A new step replaces the form that had focus: focus (and the screen reader) go to the step's heading,
  // except for the TOTP step, whose code field takes focus itself.
  const firstStep = useRef(true);
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    if (step.kind !== 'totp' || step.enrolled === true)
      section.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [step.kind]);

  async function attempt(username: string, password: string, totp?: string): Promise<void> {
    // The cookie flow: the refresh token stays in the HttpOnly cookie, out of reach of scripts.
    const reply = await authClient.login({
      username,
      password,
      session: 'cookie',
      ...(totp !== undefined ? { totp } : {}),
    });
    if (reply.kind === 'tokens') await signedIn(reply);
    else if (reply.kind === 'password_change_required')
      setStep({ kind: 'new-password', username, stepToken: reply.stepToken });
    else setStep({ kind: 'enrolment-required', username, password, stepToken: reply.stepToken });
  }

  function submit(event: FormEvent<HTMLFormElement>, action: (data: FormData) => Promise<void>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    action(data)
      .catch((e: unknown) => {
        if (e instanceof RestError && e.code === 'totp_required' && step.kind === 'credentials') {
          setStep({
            kind: 'totp',
            username: String(data.get('username')),
            password: String(data.get('password')),
          });
          return;
        }
        if (e instanceof RestError && step.kind === 'new-password' && e.code === 'invalid_token') {
          setStep({ kind: 'credentials' });
        }
        setError(retryMessage(t, e) ?? t(errorKey(e, step.kind)));
      })
      .finally(() => setBusy(false));
  }

  const alert = error !== undefined && (
    <p className="error" role="alert">
      {error}
    </p>
  );

  const back = (
    <Button
      className="button link"
      onPress={() => {
        setError(undefined);
        setStep({ kind: 'credentials' });
      }}
    >
      {t('signIn.cancel')}
    </Button>
  );

  return (
    <section ref={section} className="card narrow" aria-labelledby="sign-in-title">
      {step.kind === 'credentials' && (
        <>
          <h1 id="sign-in-title" tabIndex={-1}>
            {t('signIn.title')}
          </h1>
          <p>{t('signIn.intro')}</p>
          {session.status === 'signed-out' && session.expired === true && (
            <p className="notice" role="status">
              {t('account.expired')}
            </p>
          )}
          {alert}
          <Form
            onSubmit={(e) => submit(e, (d) => attempt(String(d.get('username')), String(d.get('password'))))}
          >
            <TextField name="username" isRequired autoComplete="username" className="field">
              <Label>{t('signIn.username')}</Label>
              <Input />
            </TextField>
            <TextField
              name="password"
              type="password"
              isRequired
              autoComplete="current-password"
              className="field"
            >
              <Label>{t('signIn.password')}</Label>
              <Input />
            </TextField>
            <Button type="submit" className="button primary" isDisabled={busy}>
              {busy ? t('signIn.working') : t('signIn.submit')}
            </Button>
          </Form>
          <SsoButtons />
          <p className="hint">
            {t('signIn.privacyHint')} <Link href={hrefOf('privacy')}>{t('app.privacyLink')}</Link>
          </p>
        </>
      )}
      {step.kind === 'totp' && (
        <>
          <h1 id="sign-in-title" tabIndex={-1}>
            {t('signIn.totpTitle')}
          </h1>
          {step.enrolled === true && (
            <p className="notice" role="status">
              {t('account.totp.enrolled')}
            </p>
          )}
          <p>{t('signIn.totpIntro')}</p>
          {alert}
          <Form
            onSubmit={(e) =>
              submit(e, (d) => attempt(step.username, step.password, String(d.get('totp')).trim()))
            }
          >
            <TextField name="totp" isRequired autoComplete="one-time-code" className="field" autoFocus>
              <Label>{t('signIn.totpCode')}</Label>
              <Input inputMode="text" />
            </TextField>
            <Button type="submit" className="button primary" isDisabled={busy}>
              {t('signIn.totpSubmit')}
            </Button>
          </Form>
          {back}
        </>
      )}
      {step.kind === 'new-password' && (
        <>
          <h1 id="sign-in-title" tabIndex={-1}>
            {t('signIn.newPasswordTitle')}
          </h1>
          <p>{t('signIn.newPasswordIntro')}</p>
          {alert}
          <Form
            onSubmit={(e) =>
              submit(e, async (d) => {
                const password = String(d.get('newPassword'));
                if (password !== String(d.get('confirmPassword'))) {
                  setError(t('signIn.passwordsDiffer'));
                  return;
                }
                await authClient.changePassword(step.stepToken, password);
                await attempt(step.username, password).catch((e: unknown) => {
                  // The new password is set; a second factor may still be asked for.
                  if (e instanceof RestError && e.code === 'totp_required')
                    setStep({ kind: 'totp', username: step.username, password });
                  else throw e;
                });
              })
            }
          >
            <TextField
              name="newPassword"
              type="password"
              isRequired
              autoComplete="new-password"
              className="field"
            >
              <Label>{t('signIn.newPassword')}</Label>
              <Input />
              <Text slot="description">{t('signIn.newPasswordHelp')}</Text>
            </TextField>
            <TextField
              name="confirmPassword"
              type="password"
              isRequired
              autoComplete="new-password"
              className="field"
            >
              <Label>{t('signIn.confirmPassword')}</Label>
              <Input />
            </TextField>
            <Button type="submit" className="button primary" isDisabled={busy}>
              {t('signIn.newPasswordSubmit')}
            </Button>
          </Form>
          {back}
        </>
      )}
      {step.kind === 'enrolment-required' && (
        <>
          <h1 id="sign-in-title" tabIndex={-1}>
            {t('signIn.totpTitle')}
          </h1>
          <p>{t('account.totp.requiredIntro')}</p>
          <p className="hint">{t('account.totp.appHint')}</p>
          {alert}
          <Button
            className="button primary"
            isDisabled={busy}
            onPress={() => {
              setBusy(true);
              setError(undefined);
              authClient
                .enrolTotp(step.stepToken)
                .then((enrolment) => setStep({ ...step, kind: 'enrol', enrolment }))
                .catch((e: unknown) => {
                  if (e instanceof RestError && e.code === 'invalid_token') setStep({ kind: 'credentials' });
                  setError(
                    t(
                      e instanceof RestError && e.code === 'invalid_token'
                        ? 'signIn.errors.expired'
                        : 'signIn.errors.unavailable',
                    ),
                  );
                })
                .finally(() => setBusy(false));
            }}
          >
            {t('account.totp.start')}
          </Button>
          {back}
        </>
      )}
      {step.kind === 'enrol' && (
        <>
          <LazyTotpSetup
            token={step.stepToken}
            enrolment={step.enrolment}
            headingId="sign-in-title"
            onDone={() =>
              setStep({ kind: 'totp', username: step.username, password: step.password, enrolled: true })
            }
          />
          {back}
        </>
      )}
    </section>
  );
}
