import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SsoProvider } from '@conclave/protocol';
import { authClient } from '../session';
import { rememberRoute } from './return-route';

/** Whether the page was reached back from a single sign-on the service refused (`#/sign-in?sso=failed`). */
function ssoFailed(): boolean {
  return /[?&]sso=failed(&|$)/.test(location.hash);
}

/** One link per configured single sign-on provider; each starts its flow and comes back into the app. */
export function SsoButtons() {
  const { t } = useTranslation();
  const [providers, setProviders] = useState<SsoProvider[]>([]);
  useEffect(() => {
    authClient.providers().then(
      (reply) => setProviders(reply.providers),
      () => setProviders([]),
    );
  }, []);
  return (
    <>
      {ssoFailed() && (
        <p className="error" role="alert">
          {t('account.sso.failed')}
        </p>
      )}
      {providers.length > 0 && (
        <nav className="sso" aria-label={t('account.sso.label')}>
          <p>{t('account.sso.or')}</p>
          <ul>
            {providers.map((provider) => (
              <li key={provider.kind}>
                {/* A full page navigation: the provider's pages are not part of this app. */}
                <a className="button secondary" href={provider.loginPath} onClick={rememberRoute}>
                  {t('account.sso.button', { name: provider.displayName })}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </>
  );
}
