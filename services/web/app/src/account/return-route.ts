/** Where the person was before leaving for single sign-on (this tab only; a route, never a secret). */
const KEY = 'conclave.returnTo';

/** Remembers the current in-app route, to come back to it after single sign-on. */
export function rememberRoute(): void {
  try {
    if (location.hash.startsWith('#/') && !location.hash.startsWith('#/sign-in'))
      sessionStorage.setItem(KEY, location.hash);
  } catch {
    // Storage disabled: the person lands on My meetings.
  }
}

/** Back to the remembered route, once; called when a session was resumed. */
export function returnToRememberedRoute(): void {
  try {
    const route = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    if (route !== null && /^#\/[A-Za-z0-9/_%.-]*$/.test(route) && location.hash !== route)
      location.hash = route;
  } catch {
    // Storage disabled: stay where the app starts.
  }
}
