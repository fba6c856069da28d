import type { ConnectionOptions } from 'node:tls';
import type { TurnConfig } from './config';
import { issueTurnCredential } from './rest-credentials';
import { TurnClient, type TurnAnswer } from './turn-client';

/** One line of `conclave turn check`. */
export interface TurnCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface TurnCheckOptions {
  config: TurnConfig;
  secrets: readonly string[];
  /** Address of coturn's UDP listener. */
  host: string;
  /** The TLS listener, directly or through the edge; skipped when absent. */
  tls?: ConnectionOptions;
  /** Now, Unix milliseconds. */
  now: number;
}

/** Peers a relay must refuse (RFC 1918 and the cloud metadata address): a check that they are. */
const PROBE_DENIED = ['169.254.169.254', '10.0.0.1'];
const FORBIDDEN = 403;

function describe(answer: TurnAnswer): string {
  return answer.ok ? 'granted' : `${answer.code} ${answer.reason}`;
}

/**
 * Checks a running coturn the way clients and attackers see it: each configured secret's credentials allocate
 * over UDP (and TLS when asked), the metadata address and a private one are refused, the SFU's addresses are not.
 * Allocations are released at once; no packet is sent to any peer.
 */
export async function checkTurnRelay(options: TurnCheckOptions): Promise<TurnCheck[]> {
  const { config } = options;
  const results: TurnCheck[] = [];
  const credential = (secret: string) =>
    issueTurnCredential({
      secret,
      userId: 'conclave-check',
      now: options.now,
      expiresAt: options.now + 120_000,
    });
  const attempt = async (
    name: string,
    open: () => Promise<TurnClient>,
    body: (c: TurnClient) => Promise<TurnCheck[]>,
  ) => {
    let client: TurnClient | undefined;
    try {
      client = await open();
      results.push(...(await body(client)));
    } catch (error) {
      results.push({ name, ok: false, detail: (error as Error).message });
    } finally {
      client?.close();
    }
  };

  for (const [index, secret] of options.secrets.entries()) {
    const name = `allocate over UDP with secret ${index + 1} of ${options.secrets.length}`;
    await attempt(
      name,
      () => TurnClient.udp(options.host, config.listen.port),
      async (client) => {
        const c = credential(secret);
        const allocation = await client.allocate(c.username, c.credential);
        const checks: TurnCheck[] = [{ name, ok: allocation.ok, detail: describe(allocation) }];
        if (allocation.ok && index === 0) {
          for (const peer of PROBE_DENIED) {
            const answer = await client.createPermission(peer);
            checks.push({
              name: `permission towards ${peer} refused`,
              ok: !answer.ok && answer.code === FORBIDDEN,
              detail: describe(answer),
            });
          }
          for (const peer of config.allowedPeers.filter((p) => !p.includes('/') && !p.includes(':'))) {
            const answer = await client.createPermission(peer);
            checks.push({
              name: `permission towards the SFU ${peer} granted`,
              ok: answer.ok,
              detail: describe(answer),
            });
          }
        }
        if (allocation.ok) await client.refresh(0);
        return checks;
      },
    );
  }
  if (options.tls !== undefined) {
    const name = `allocate over TLS (${String(options.tls.servername ?? options.tls.host)}:${options.tls.port})`;
    await attempt(
      name,
      () => TurnClient.tls(options.tls!),
      async (client) => {
        const c = credential(options.secrets[0]!);
        const allocation = await client.allocate(c.username, c.credential);
        if (allocation.ok) await client.refresh(0);
        return [{ name, ok: allocation.ok, detail: describe(allocation) }];
      },
    );
  }
  return results;
}
