import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// oidc-provider ships no type declarations; the little used here is typed locally.
const Provider = (
  require('oidc-provider') as {
    default: new (
      issuer: string,
      configuration: object,
    ) => { callback(): (req: unknown, res: unknown) => void };
  }
).default;

export interface OidcProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Account id → claims released about it (`name`, `preferred_username`, `groups`, …). */
  accounts: Record<string, Record<string, unknown>>;
}

export interface OidcProviderFixture {
  issuer: string;
  /**
   * Plays the browser through the provider's development login and consent pages for `accountId`, starting at
   * the authorization URL the relying party redirected to; resolves with the redirect URI it was sent back to.
   */
  signIn(authorizationUrl: string, accountId: string): Promise<URL>;
  stop(): Promise<void>;
}

/** A real `oidc-provider` on 127.0.0.1 (random port), PKCE required, with its development interactions. */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProviderFixture> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    findAccount: (_ctx: unknown, sub: string) =>
      options.accounts[sub] === undefined
        ? undefined
        : { accountId: sub, claims: () => ({ sub, ...options.accounts[sub] }) },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: [randomBytes(16).toString('hex')] },
  });
  server.on('request', provider.callback());

  const signIn = async (authorizationUrl: string, accountId: string): Promise<URL> => {
    const jar = new Map<string, string>();
    const go = async (url: string, form?: Record<string, string>): Promise<Response> => {
      const response = await fetch(url, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const index = pair!.indexOf('=');
        jar.set(pair!.slice(0, index), pair!.slice(index + 1));
      }
      return response;
    };
    let url = authorizationUrl;
    for (let hop = 0; hop < 12; hop++) {
      if (url.startsWith(options.redirectUri)) return new URL(url);
      const interaction = /\/interaction\/([^/?]+)$/.exec(new URL(url).pathname);
      let response: Response;
      if (interaction !== null) {
        const page = await (await go(url)).text();
        const form: Record<string, string> = page.includes('name="login"')
          ? { prompt: 'login', login: accountId, password: 'any' }
          : { prompt: 'consent' };
        response = await go(url, form);
      } else {
        response = await go(url);
      }
      const location = response.headers.get('location');
      if (location === null)
        throw new Error(
          `the provider stopped at ${url} with ${response.status}: ${(await response.text()).slice(0, 200)}`,
        );
      url = new URL(location, url).href;
    }
    throw new Error('too many redirects at the provider');
  };

  return {
    issuer,
    signIn,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
