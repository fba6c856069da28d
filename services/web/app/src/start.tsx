import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { returnToRememberedRoute } from './account/return-route';
import { initI18n } from './i18n';
import { resumeSession, sessionStore } from './session';

async function start(): Promise<void> {
  await initI18n();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  await resumeSession();
  if (sessionStore.get().status === 'signed-in') returnToRememberedRoute();
}

void start();
