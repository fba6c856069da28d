import 'reflect-metadata';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { webcrypto, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import { freePort } from './postgres';
import { waitForTcpPort } from './child-process';

const run = promisify(execFile);

export interface SlapdUserSpec {
  /** Sign-in name (`uid`); any characters, escaped in the DN per RFC 4514. */
  uid: string;
  password: string;
  /** Display name (`cn`); the uid when absent. */
  cn?: string;
  /** Names (`cn`) of the groups the user is a member of. */
  groups?: string[];
}

export interface SlapdOptions {
  users: SlapdUserSpec[];
  /** Extra groups (those named in `users[].groups` are created anyway). */
  groups?: string[];
}

export interface SlapdFixture {
  /** `ldap://127.0.0.1:PORT` (StartTLS available) and `ldaps://127.0.0.1:PORT`. */
  ldapUrl: string;
  ldapsUrl: string;
  /** PEM of the test CA that signed the server certificate. */
  caFile: string;
  /** A CA that signed nothing here: connections that trust only it must fail. */
  otherCaFile: string;
  baseDn: string;
  userBase: string;
  groupBase: string;
  /** Service account allowed to search. */
  bindDn: string;
  bindPasswordFile: string;
  userDn(uid: string): string;
  groupDn(cn: string): string;
  /** Stops the server (the directory is then "down"); `start()` brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

/** RFC 4514 §2.4 escaping of one attribute value in a DN. */
function dnValue(value: string): string {
  let out = value.replace(/[\\"+,;<>=]/g, (c) => `\\${c}`);
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** LDIF with every value base64-encoded (RFC 2849 `::`), so any character is safe. */
function ldif(entries: [string, [string, string][]][]): string {
  const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
  return (
    entries
      .map(([dn, attrs]) => [`dn:: ${b64(dn)}`, ...attrs.map(([k, v]) => `${k}:: ${b64(v)}`)].join('\n'))
      .join('\n\n') + '\n'
  );
}

async function writeTestPki(
  dir: string,
): Promise<{ caFile: string; otherCaFile: string; certFile: string; keyFile: string }> {
  const crypto = webcrypto as unknown as Crypto;
  x509.cryptoProvider.set(crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) };
  const serial = () => randomBytes(16).toString('hex');
  const makeCa = async (name: string) => {
    const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name,
      ...validity,
      keys,
      signingAlgorithm: alg,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    return { keys, cert };
  };
  const ca = await makeCa('CN=Conclave test LDAP CA');
  const other = await makeCa('CN=Unrelated CA');
  const serverKeys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost',
    issuer: ca.cert.subject,
    ...validity,
    signingKey: ca.keys.privateKey,
    publicKey: serverKeys.publicKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', serverKeys.privateKey)).toString('base64');
  const label = 'PRIVATE KEY';
  const files = {
    caFile: join(dir, 'ca.crt'),
    otherCaFile: join(dir, 'other-ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
  };
  writeFileSync(files.caFile, ca.cert.toString('pem') + '\n');
  writeFileSync(files.otherCaFile, other.cert.toString('pem') + '\n');
  writeFileSync(files.certFile, server.toString('pem') + '\n');
  writeFileSync(
    files.keyFile,
    `-----BEGIN ${label}-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`,
    { mode: 0o600 },
  );
  return files;
}

/**
 * A real OpenLDAP server for tests: its own config and database directory, 127.0.0.1 on random ports, LDAPS
 * and StartTLS with a CA generated at run time, mdb with the memberof overlay, and ACLs under which anonymous
 * clients can only bind (never read `userPassword` or search). Entries are added live (not with slapadd) so
 * the overlay maintains `memberOf`.
 */
export async function startSlapd(options: SlapdOptions): Promise<SlapdFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-slapd-'));
  mkdirSync(join(dir, 'db'));
  const pki = await writeTestPki(dir);
  const baseDn = 'dc=conclave,dc=test';
  const userBase = `ou=people,${baseDn}`;
  const groupBase = `ou=groups,${baseDn}`;
  const rootDn = `cn=admin,${baseDn}`;
  const rootPassword = randomBytes(18).toString('base64url');
  const bindDn = `cn=conclave-service,ou=services,${baseDn}`;
  const bindPassword = randomBytes(18).toString('base64url');
  const bindPasswordFile = join(dir, 'service-password');
  writeFileSync(bindPasswordFile, bindPassword + '\n', { mode: 0o600 });
  const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'moduleload memberof',
      `pidfile ${join(dir, 'slapd.pid')}`,
      `argsfile ${join(dir, 'slapd.args')}`,
      `TLSCACertificateFile ${pki.caFile}`,
      `TLSCertificateFile ${pki.certFile}`,
      `TLSCertificateKeyFile ${pki.keyFile}`,
      'database mdb',
      'maxsize 16777216',
      `suffix "${baseDn}"`,
      `rootdn "${rootDn}"`,
      `rootpw ${rootPassword}`,
      `directory ${join(dir, 'db')}`,
      'overlay memberof',
      'memberof-group-oc groupOfNames',
      'memberof-member-ad member',
      'memberof-memberof-ad memberOf',
      'memberof-refint TRUE',
      'access to attrs=userPassword by self =xw by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  const start = async () => {
    const server = spawn(
      '/usr/sbin/slapd',
      ['-f', conf, '-h', `ldap://127.0.0.1:${ldapPort}/ ldaps://127.0.0.1:${ldapsPort}/`, '-d', '0'],
      { stdio: 'ignore' },
    );
    child = server;
    const deadline = Date.now() + 10_000;
    await waitForTcpPort('127.0.0.1', ldapPort, deadline, server, 'slapd');
    await waitForTcpPort('127.0.0.1', ldapsPort, deadline, server, 'slapd');
  };
  const stop = async () => {
    const server = child;
    child = undefined;
    if (server === undefined || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  };

  const userDn = (uid: string) => `uid=${dnValue(uid)},${userBase}`;
  const groupDn = (cn: string) => `cn=${dnValue(cn)},${groupBase}`;
  const groupNames = [
    ...new Set([...(options.groups ?? []), ...options.users.flatMap((u) => u.groups ?? [])]),
  ];
  const entries: [string, [string, string][]][] = [
    [
      baseDn,
      [
        ['objectClass', 'top'],
        ['objectClass', 'dcObject'],
        ['objectClass', 'organization'],
        ['o', 'Conclave test'],
        ['dc', 'conclave'],
      ],
    ],
    ...['people', 'groups', 'services'].map((ou): [string, [string, string][]] => [
      `ou=${ou},${baseDn}`,
      [
        ['objectClass', 'organizationalUnit'],
        ['ou', ou],
      ],
    ]),
    [
      bindDn,
      [
        ['objectClass', 'person'],
        ['objectClass', 'simpleSecurityObject'],
        ['cn', 'conclave-service'],
        ['sn', 'service'],
        ['userPassword', bindPassword],
      ],
    ],
    ...options.users.map((u): [string, [string, string][]] => [
      userDn(u.uid),
      [
        ['objectClass', 'inetOrgPerson'],
        ['uid', u.uid],
        ['cn', u.cn ?? u.uid],
        ['sn', u.cn ?? u.uid],
        ['userPassword', u.password],
      ],
    ]),
    ...groupNames.map((g): [string, [string, string][]] => {
      const members = options.users.filter((u) => u.groups?.includes(g)).map((u) => userDn(u.uid));
      return [
        groupDn(g),
        [
          ['objectClass', 'groupOfNames'],
          ['cn', g],
          ...(members.length > 0 ? members : [rootDn]).map((m): [string, string] => ['member', m]),
        ],
      ];
    }),
  ];
  const seed = join(dir, 'seed.ldif');
  writeFileSync(seed, ldif(entries));
  try {
    await start();
    await run('ldapadd', [
      '-x',
      '-H',
      `ldap://127.0.0.1:${ldapPort}`,
      '-D',
      rootDn,
      '-w',
      rootPassword,
      '-f',
      seed,
    ]);
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ldapUrl: `ldap://127.0.0.1:${ldapPort}`,
    ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
    caFile: pki.caFile,
    otherCaFile: pki.otherCaFile,
    baseDn,
    userBase,
    groupBase,
    bindDn,
    bindPasswordFile,
    userDn,
    groupDn,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
