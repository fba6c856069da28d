import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';

// The meeting screens (mediasoup-client, E2EE) are a chunk of their own, fetched when first needed: the sign-in
// page downloads only what it shows.
const loadJoin = () => import('./meeting/join');
const Join = lazy(() => loadJoin().then((module) => ({ default: module.Join })));

/** Starts fetching the meeting screens ahead of use (once signed in), so Join does not wait for them. */
export function preloadJoin(): void {
  void loadJoin().catch(() => undefined);
}

// A page opened on a meeting link fetches them alongside resuming the session rather than after it.
if (location.hash.startsWith('#/join/')) preloadJoin();

/** The join screen, loaded on demand (it moves focus to its own heading once shown). */
export function LazyJoin({ meetingId }: { meetingId: string }) {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
      <Join meetingId={meetingId} />
    </Suspense>
  );
}
