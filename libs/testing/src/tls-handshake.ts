import { spawn } from 'node:child_process';

export interface HandshakeResult {
  /** The handshake completed. */
  accepted: boolean;
  protocol?: string;
  cipher?: string;
  /** Key-exchange group, e.g. `X25519`. */
  group?: string;
  /** `openssl s_client`'s output, for assertion messages. */
  output: string;
}

/** One handshake with the real `openssl s_client`, offering only what `args` allows. */
export function opensslHandshake(host: string, port: number, args: string[]): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      ['s_client', '-connect', `${host}:${port}`, '-servername', 'localhost', '-brief', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const field = (name: string) => output.match(new RegExp(`^${name}: ([^,\\n]+)`, 'm'))?.[1];
      resolve({
        accepted: code === 0 && output.includes('CONNECTION ESTABLISHED'),
        ...(field('Protocol version') !== undefined ? { protocol: field('Protocol version')! } : {}),
        ...(field('Ciphersuite') !== undefined ? { cipher: field('Ciphersuite')! } : {}),
        ...(field('Server Temp Key') !== undefined ? { group: field('Server Temp Key')! } : {}),
        output,
      });
    });
  });
}

/** A row of the handshake matrix: what the client offers and what the Conclave TLS profile must answer. */
export interface HandshakeCase {
  name: string;
  args: string[];
  expect: { accepted: false } | { accepted: true; protocol: string; cipher?: string; group?: string };
}

// SECLEVEL=0 lets OpenSSL's client offer what Debian's defaults no longer do, so a refusal is the server's.
const LEGACY = ['-cipher', 'DEFAULT:@SECLEVEL=0'];

/** The handshake matrix every listener must pass (docs/security/tls.md, issue 13 §2). */
export const TLS_PROFILE_MATRIX: HandshakeCase[] = [
  { name: 'TLS 1.0 refused', args: ['-tls1', ...LEGACY], expect: { accepted: false } },
  { name: 'TLS 1.1 refused', args: ['-tls1_1', ...LEGACY], expect: { accepted: false } },
  {
    name: 'TLS 1.2 ECDHE-ECDSA-AES128-SHA (CBC, SHA-1) refused',
    args: ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA'],
    expect: { accepted: false },
  },
  {
    name: 'TLS 1.2 ECDHE-ECDSA-AES256-SHA384 (CBC) refused',
    args: ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-SHA384'],
    expect: { accepted: false },
  },
  {
    name: 'TLS 1.2 RSA key exchange (AES256-GCM-SHA384) refused',
    args: ['-tls1_2', '-cipher', 'AES256-GCM-SHA384'],
    expect: { accepted: false },
  },
  {
    name: 'TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384 accepted',
    args: ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    expect: { accepted: true, protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
  },
  {
    name: 'TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305 accepted',
    args: ['-tls1_2', '-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
    expect: { accepted: true, protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
  },
  { name: 'TLS 1.3 accepted', args: ['-tls1_3'], expect: { accepted: true, protocol: 'TLSv1.3' } },
  {
    name: 'TLS 1.3 TLS_AES_128_CCM_8_SHA256 only refused',
    args: ['-tls1_3', '-ciphersuites', 'TLS_AES_128_CCM_8_SHA256'],
    expect: { accepted: false },
  },
  { name: 'curve secp521r1 only refused (TLS 1.3)', args: ['-groups', 'P-521'], expect: { accepted: false } },
  {
    name: 'curve secp521r1 only refused (TLS 1.2)',
    args: ['-tls1_2', '-groups', 'P-521'],
    expect: { accepted: false },
  },
  {
    name: 'X25519 accepted',
    args: ['-groups', 'X25519'],
    expect: { accepted: true, protocol: 'TLSv1.3', group: 'X25519' },
  },
  {
    name: 'TLS 1.2 with SHA-1 signatures only refused',
    args: ['-tls1_2', '-sigalgs', 'ECDSA+SHA1', ...LEGACY],
    expect: { accepted: false },
  },
];

/**
 * Runs the matrix against a listener; resolves with the rows whose answer differs from the profile's. A
 * listener that requires a client certificate (mutual TLS) is given `client`'s with every row.
 */
export async function handshakeMatrixFailures(
  host: string,
  port: number,
  client?: { certFile: string; keyFile: string },
): Promise<string[]> {
  const failures: string[] = [];
  // The certificate file carries the intermediate after the leaf: -cert_chain sends it too.
  const clientArgs =
    client !== undefined
      ? ['-cert', client.certFile, '-cert_chain', client.certFile, '-key', client.keyFile]
      : [];
  for (const row of TLS_PROFILE_MATRIX) {
    const result = await opensslHandshake(host, port, [...row.args, ...clientArgs]);
    const expect = row.expect;
    const ok =
      result.accepted === expect.accepted &&
      (!expect.accepted ||
        (result.protocol === expect.protocol &&
          (expect.cipher === undefined || result.cipher === expect.cipher) &&
          (expect.group === undefined || result.group === expect.group)));
    if (!ok)
      failures.push(
        `${row.name}: got ${result.accepted ? `accepted ${result.protocol} ${result.cipher} ${result.group}` : 'refused'}\n${result.output}`,
      );
  }
  return failures;
}
