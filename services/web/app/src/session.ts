import { AuthClient, RoomsClient } from '@conclave/client/rest';
import type { MeResponse, TokenResponse } from '@conclave/protocol';
import { createStore, useStore } from './store';

/** Who is using the app. The access token stays in memory; the refresh token is an HttpOnly cookie. */
export type Session =
  | { status: 'unknown' }
  /** `expired`: a session ended under the person's feet (its refresh was refused), not a sign-out. */
  | { status: 'signed-out'; expired?: boolean }
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
  return refresh();
}

/**
 * New tokens from the session cookie. When the cookie is refused the person is signed out and the app shows
 * sign-in in place: the route stays in the address, so signing in again returns to it.
 */
function refresh(): Promise<string> {
  // Refresh tokens are single use: concurrent callers share one refresh.
  refreshing ??= authClient
    .refresh()
    .then(async (tokens) => (await signedIn(tokens)).accessToken)
    .catch((error: unknown) => {
      const wasSignedIn = sessionStore.get().status === 'signed-in';
      sessionStore.set({ status: 'signed-out', ...(wasSignedIn ? { expired: true } : {}) });
      throw error;
    })
    .finally(() => (refreshing = undefined));
  return refreshing;
}

/** A 401 from room control (the token was refused before it expired): one refresh, then the same request again. */
const fetchWithSession: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status !== 401) return response;
  let token: string;
  try {
    token = await refresh();
  } catch {
    return response;
  }
  const headers = {
    ...(init?.headers as Record<string, string> | undefined),
    authorization: `Bearer ${token}`,
  };
  return fetch(input, { ...init, headers });
};

export const roomsClient = new RoomsClient({ accessToken, fetch: fetchWithSession });

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
