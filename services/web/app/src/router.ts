import { createStore, useStore } from './store';

/** The app's screens, addressed by the URL fragment (`#/meetings`): no server route is needed. */
export type Route = 'sign-in' | 'meetings' | 'privacy' | 'not-found';

const PATHS: Record<string, Route> = {
  '#/sign-in': 'sign-in',
  '#/meetings': 'meetings',
  '#/privacy': 'privacy',
};

function parse(hash: string): Route | undefined {
  if (hash === '' || hash === '#' || hash === '#/') return 'meetings';
  if (!hash.startsWith('#/')) return undefined;
  return PATHS[hash.split('?')[0]!] ?? 'not-found';
}

const routeStore = createStore<Route>(parse(location.hash) ?? 'meetings');

addEventListener('hashchange', () => {
  const route = parse(location.hash);
  if (route !== undefined) routeStore.set(route);
});

export function hrefOf(route: Exclude<Route, 'not-found'>): string {
  return `#/${route}`;
}

export function navigate(route: Exclude<Route, 'not-found'>): void {
  if (location.hash === hrefOf(route)) routeStore.set(route);
  else location.hash = hrefOf(route);
}

export function useRoute(): Route {
  return useStore(routeStore);
}
