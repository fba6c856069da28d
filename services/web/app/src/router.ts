import { createStore, useStore } from './store';

/** The app's screens, addressed by the URL fragment (`#/meetings`): no server route is needed. */
export type Route = 'sign-in' | 'meetings' | 'privacy' | 'join' | 'not-found' | 'schedule' | 'edit';

const PATHS: Record<string, Route> = {
  '#/sign-in': 'sign-in',
  '#/meetings': 'meetings',
  '#/privacy': 'privacy',
  '#/schedule': 'schedule',
};

function parse(hash: string): Route | undefined {
  if (hash === '' || hash === '#' || hash === '#/') return 'meetings';
  if (!hash.startsWith('#/')) return undefined;
  if (joinTarget(hash) !== undefined) return 'join';
  if (editTarget(hash) !== undefined) return 'edit';
  return PATHS[hash.split('?')[0]!] ?? 'not-found';
}

const routeStore = createStore<Route>(parse(location.hash) ?? 'meetings');

addEventListener('hashchange', () => {
  const route = parse(location.hash);
  if (route !== undefined) routeStore.set(route);
});

const JOIN_PREFIX = '#/join/';

/** The meeting id of a `#/join/{id}` fragment. */
function joinTarget(hash: string): string | undefined {
  if (!hash.startsWith(JOIN_PREFIX)) return undefined;
  const id = decodeURIComponent(hash.slice(JOIN_PREFIX.length).split('?')[0]!);
  return /^[A-Za-z0-9_-]{1,128}$/.test(id) ? id : undefined;
}

/** The meeting the `join` screen is about. */
export function joinMeetingId(): string | undefined {
  return joinTarget(location.hash);
}

export function joinHref(meetingId: string): string {
  return `${JOIN_PREFIX}${encodeURIComponent(meetingId)}`;
}

export function hrefOf(route: Exclude<Route, 'not-found' | 'join'>): string {
  return `#/${route}`;
}

export function navigate(route: Exclude<Route, 'not-found' | 'join'>): void {
  if (location.hash === hrefOf(route)) routeStore.set(route);
  else location.hash = hrefOf(route);
}

export function useRoute(): Route {
  return useStore(routeStore);
}

/** `#/meetings/{id}/edit`: the meeting the edit screen is about. */
function editTarget(hash: string): string | undefined {
  const match = /^#\/meetings\/([A-Za-z0-9_-]{1,128})\/edit$/.exec(hash.split('?')[0]!);
  return match?.[1];
}

export function editMeetingId(): string | undefined {
  return editTarget(location.hash);
}

export function editHref(meetingId: string): string {
  return `#/meetings/${encodeURIComponent(meetingId)}/edit`;
}
