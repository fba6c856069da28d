import { useEffect, useRef } from 'react';
import { Button, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { setLanguage, type Language } from './i18n';
import { LazyJoin, preloadJoin } from './lazy-join';
import { LazyScheduleScreen, LazySecurity, preloadScreens } from './lazy-screens';
import { editMeetingId, hrefOf, joinMeetingId, navigate, useRoute, type Route } from './router';
import { MyMeetings } from './screens/my-meetings';
import { Privacy } from './screens/privacy';
import { SignIn } from './screens/sign-in';
import { signOut, useSession } from './session';

const MAIN_ID = 'main';

/** The page frame: skip link, header (product, language, sign-out), the current screen, footer links. */
export function App() {
  const { t } = useTranslation();
  const route = useRoute();
  const session = useSession();
  const main = useRef<HTMLElement>(null);

  // Screens that need a session send a signed-out person to sign-in; sign-in sends a signed-in one onwards.
  const needsSession: Route[] = ['meetings', 'join', 'schedule', 'edit', 'security'];
  const shown: Route | 'loading' =
    session.status === 'unknown' && route !== 'privacy'
      ? 'loading'
      : session.status !== 'signed-in' && needsSession.includes(route)
        ? 'sign-in'
        : session.status === 'signed-in' && route === 'sign-in'
          ? 'meetings'
          : route;

  // Moving between screens puts keyboard and screen-reader focus on the new screen's heading.
  // The first screen after loading keeps the browser's own start (the skip link is the first Tab stop).
  const previous = useRef<typeof shown>(shown);
  useEffect(() => {
    const from = previous.current;
    previous.current = shown;
    if (from === shown || from === 'loading') return;
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [shown]);
  useEffect(() => {
    if (session.status === 'signed-in') {
      preloadJoin();
      preloadScreens();
    }
  }, [session.status]);

  return (
    <>
      <a
        className="skip-link"
        href={`#${MAIN_ID}`}
        onClick={(event) => {
          event.preventDefault();
          main.current?.focus();
        }}
      >
        {t('app.skipToContent')}
      </a>
      <header className="app-header">
        <span className="product">{t('app.name')}</span>
        <div className="header-actions">
          {session.status === 'signed-in' && <span className="who">{session.me.name}</span>}
          <Button
            className="button secondary"
            lang={t('app.switchLanguageLang')}
            onPress={() => void setLanguage(t('app.switchLanguageLang') as Language)}
          >
            {t('app.switchLanguage')}
          </Button>
          {session.status === 'signed-in' && (
            <Link className="button secondary" href={hrefOf('security')}>
              {t('account.security.link')}
            </Link>
          )}
          {session.status === 'signed-in' && (
            <Button
              className="button secondary"
              onPress={() => {
                void signOut().then(() => navigate('sign-in'));
              }}
            >
              {t('app.signOut')}
            </Button>
          )}
        </div>
      </header>
      <main id={MAIN_ID} ref={main} tabIndex={-1}>
        {shown === 'loading' && <p role="status">{t('app.loading')}</p>}
        {shown === 'sign-in' && <SignIn />}
        {shown === 'meetings' && <MyMeetings />}
        {shown === 'join' && <LazyJoin key={joinMeetingId()} meetingId={joinMeetingId() ?? ''} />}
        {shown === 'privacy' && <Privacy />}
        {shown === 'schedule' && <LazyScheduleScreen />}
        {shown === 'edit' && <LazyScheduleScreen key={editMeetingId()} meetingId={editMeetingId() ?? ''} />}
        {shown === 'security' && <LazySecurity />}
        {shown === 'not-found' && (
          <>
            <h1 tabIndex={-1}>{t('app.notFound')}</h1>
            <Link href={hrefOf('meetings')}>{t('app.backHome')}</Link>
          </>
        )}
      </main>
      <footer className="app-footer">
        <Link href={hrefOf('privacy')}>{t('app.privacyLink')}</Link>
      </footer>
    </>
  );
}
