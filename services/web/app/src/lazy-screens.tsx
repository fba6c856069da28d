import { lazy, Suspense, type ComponentProps, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

// Screens a person reaches after signing in, and not on every visit (scheduling, the security page, two-step
// verification set-up), are chunks of their own like the meeting screens: the sign-in page downloads only what
// it shows.
const loadSchedule = () => import('./screens/schedule/schedule-screen');
const loadSecurity = () => import('./account/security');
const loadTotpSetup = () => import('./account/totp-setup');
const Schedule = lazy(() => loadSchedule().then((module) => ({ default: module.ScheduleScreen })));
const SecurityPage = lazy(() => loadSecurity().then((module) => ({ default: module.Security })));
const TotpSetup = lazy(() => loadTotpSetup().then((module) => ({ default: module.TotpSetup })));

/** Starts fetching these screens once signed in, so opening them does not wait. */
export function preloadScreens(): void {
  void loadSchedule().catch(() => undefined);
  void loadSecurity().catch(() => undefined);
}

function Loading({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return <Suspense fallback={<p role="status">{t('app.loading')}</p>}>{children}</Suspense>;
}

/** The schedule / edit form, loaded on demand. */
export function LazyScheduleScreen(props: { meetingId?: string }) {
  return (
    <Loading>
      <Schedule {...props} />
    </Loading>
  );
}

/** The security page (two-step verification), loaded on demand. */
export function LazySecurity() {
  return (
    <Loading>
      <SecurityPage />
    </Loading>
  );
}

/** Two-step verification set-up (QR code encoder included), loaded when a sign-in needs it. */
export function LazyTotpSetup(props: ComponentProps<typeof TotpSetup>) {
  return (
    <Loading>
      <TotpSetup {...props} />
    </Loading>
  );
}
