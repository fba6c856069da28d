import { AuthClient, RoomsClient } from '@conclave/client/rest';
import type { MeResponse, TokenResponse } from '@conclave/protocol';
import { createStore, useStore } from './store';

/** Who is using the app. The access token stays in memory; the refresh token is an HttpOnly cookie. */
export type Session =
  | { status: 'unknown' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; me: MeResponse; accessToken: string; expiresAtMs: number };

/** Refresh the access token this long before it expires. */
const REFRESH_MARGIN_MS = 30_000;

export const sessionStore = createStore<Session>({ status: 'unknown' });
export const authClient = new AuthClient();

let refreshing: Promise<string> | undefined;

/** A current access token; refreshed (once, for every caller) from the session cookie when about to expire. */
export async function accessToken(): Promise<string> {
  const session = sessionStore.get();
  if (session.status === 'signed-in' && session.expiresAtMs - Date.now() > REFRESH_MARGIN_MS)
    return session.accessToken;
  // Refresh tokens are single use: concurrent callers share one refresh.
  refreshing ??= authClient
    .refresh()
    .then(async (tokens) => (await signedIn(tokens)).accessToken)
    .catch((error: unknown) => {
      sessionStore.set({ status: 'signed-out' });
      throw error;
    })
    .finally(() => (refreshing = undefined));
  return refreshing;
}

export const roomsClient = new RoomsClient({ accessToken });

/** Records a signed-in session from fresh tokens. */
export async function signedIn(tokens: TokenResponse): Promise<{ accessToken: string }> {
  const me = await authClient.me(tokens.accessToken);
  sessionStore.set({
    status: 'signed-in',
    me,
    accessToken: tokens.accessToken,
    expiresAtMs: Date.now() + tokens.expiresIn * 1000,
  });
  return { accessToken: tokens.accessToken };
}

/** On load: resume the session of the cookie, if there is one. */
export async function resumeSession(): Promise<void> {
  try {
    await accessToken();
  } catch {
    sessionStore.set({ status: 'signed-out' });
  }
}

export async function signOut(): Promise<void> {
  const session = sessionStore.get();
  if (session.status === 'signed-in') {
    // Whatever the server answers, this page forgets the session.
    await authClient.logout(session.accessToken).catch(() => undefined);
  }
  sessionStore.set({ status: 'signed-out' });
}

export function useSession(): Session {
  return useStore(sessionStore);
}
