import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { checkTurnRelay, loadEdgeConfig, loadTurnConfig, type EdgeConfig } from '@conclave/turn';

/** One line of `conclave doctor`. */
export interface RelayCheck {
  ok: boolean;
  label: string;
  detail: string;
}

/** Where a client on this host reaches a listener bound to `address` (the wildcard addresses mean loopback). */
function reachable(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

/**
 * The certificate a TLS handshake with `servername` gets, its chain always verified: against `ca` when given (the
 * appliance's root), else the system's trusted roots (a doctor never accepts an unverified chain).
 */
function handshake(
  host: string,
  port: number,
  servername: string,
  ca: string | undefined,
): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername,
      ...(ca !== undefined ? { ca } : {}),
      // The name is checked below, to say which backend answered.
      checkServerIdentity: () => undefined,
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.once('error', reject);
  });
}

/** Each name of the edge gets a certificate for that name (so the right backend answered); other names are closed. */
async function checkEdgeRoutes(edge: EdgeConfig, ca: string | undefined): Promise<RelayCheck[]> {
  const host = reachable(edge.listen.addresses[0] ?? '127.0.0.1');
  const port = edge.listen.port;
  const checks: RelayCheck[] = [];
  for (const [what, name] of [
    ['web', edge.web.serverName],
    ['TURN', edge.turn.serverName],
  ] as const) {
    const label = `edge routes the ${what} name`;
    try {
      const certificate = await handshake(host, port, name, ca);
      const mismatch = checkServerIdentity(name, certificate);
      checks.push(
        mismatch === undefined
          ? { ok: true, label, detail: `${name} on ${host}:${port} answers with a certificate for ${name}` }
          : { ok: false, label, detail: `${name} on ${host}:${port}: ${mismatch.message}` },
      );
    } catch (error) {
      checks.push({ ok: false, label, detail: `${name} on ${host}:${port}: ${(error as Error).message}` });
    }
  }
  const other = 'unknown.conclave.invalid';
  const closed = await handshake(host, port, other, ca).then(
    () => false,
    () => true,
  );
  checks.push({
    ok: closed,
    label: 'edge closes other names',
    detail: closed
      ? `${other} gets no TLS answer`
      : `${other} was answered: the edge routes names it should not`,
  });
  return checks;
}

/**
 * coturn answers an allocation with a fresh credential of each shared secret (and refuses denied peers), over UDP
 * and over TLS — through the edge with the TURN name when the edge's configuration is given — and the edge routes
 * both names. Configuration problems are failed checks, not exceptions.
 */
export async function checkRelayAndEdge(options: {
  turnFile?: string | undefined;
  edgeFile?: string | undefined;
  /** PEM bundle the TLS listeners' chains are verified against (the appliance root). */
  ca?: string | undefined;
}): Promise<RelayCheck[]> {
  const checks: RelayCheck[] = [];
  let edge: EdgeConfig | undefined;
  if (options.edgeFile !== undefined) {
    try {
      edge = loadEdgeConfig(options.edgeFile);
      checks.push(...(await checkEdgeRoutes(edge, options.ca)));
    } catch (error) {
      checks.push({ ok: false, label: 'edge configuration', detail: (error as Error).message });
    }
  }
  if (options.turnFile !== undefined) {
    try {
      const { config, secrets } = loadTurnConfig(options.turnFile);
      const host = reachable(config.listen.addresses[0] ?? '127.0.0.1');
      const servername = edge?.turn.serverName ?? config.serverName ?? config.realm;
      const tls =
        edge !== undefined
          ? { host: reachable(edge.listen.addresses[0] ?? '127.0.0.1'), port: edge.listen.port }
          : config.tls !== undefined
            ? { host, port: config.listen.tlsPort }
            : undefined;
      const results = await checkTurnRelay({
        config,
        secrets,
        host,
        now: Date.now(),
        ...(tls !== undefined
          ? { tls: { ...tls, servername, ...(options.ca !== undefined ? { ca: options.ca } : {}) } }
          : {}),
      });
      for (const result of results)
        checks.push({ ok: result.ok, label: `TURN relay, ${result.name}`, detail: result.detail });
    } catch (error) {
      checks.push({ ok: false, label: 'TURN configuration', detail: (error as Error).message });
    }
  }
  return checks;
}
