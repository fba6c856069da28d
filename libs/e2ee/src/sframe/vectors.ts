/**
 * Test vectors in the JSON schema of RFC 9605 Appendix C (and of draft-barnes-sframe-iana-256's appendix):
 * an object whose members are arrays of cases of three kinds, told apart by their fields:
 *   header (C.1):  kid, ctr, encoded
 *   AEAD   (C.2):  cipher_suite, key, [enc_key, auth_key], nonce, aad, pt, ct
 *   SFrame (C.3):  cipher_suite, kid, ctr, base_key, [sframe_key_label, sframe_salt_label, sframe_secret,
 *                  sframe_key, sframe_salt, nonce, aad], metadata, pt, ct
 * Numbers are read exactly (KIDs and counters go up to 2^64 - 1, beyond a double); byte strings are hex.
 * checkVectors() runs every check the auditor's checker reports on. Browser-safe: no Node built-ins.
 */
import { aeadDecrypt, aeadEncrypt, importAeadKey } from './aead';
import { type Bytes, bufferSource, concatBytes } from './bytes';
import { SFrameReceiver, sframeEncrypt } from './context';
import { SFrameError } from './errors';
import { decodeHeader, encodeHeader } from './header';
import { deriveKeyMaterial, deriveKeySalt, derivationLabels } from './keys';
import { type SFrameSuite, suiteParams } from './suites';

export class VectorFormatError extends Error {
  override readonly name = 'VectorFormatError';
}

export interface HeaderCase {
  readonly kind: 'header';
  readonly name: string;
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly encoded: Bytes;
}

export interface AeadCase {
  readonly kind: 'aead';
  readonly name: string;
  readonly suite: number;
  readonly key: Bytes;
  readonly encKey?: Bytes;
  readonly authKey?: Bytes;
  readonly nonce: Bytes;
  readonly aad: Bytes;
  readonly pt: Bytes;
  readonly ct: Bytes;
}

export interface SFrameCase {
  readonly kind: 'sframe';
  readonly name: string;
  readonly suite: number;
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly baseKey: Bytes;
  readonly keyLabel?: Bytes;
  readonly saltLabel?: Bytes;
  readonly secret?: Bytes;
  readonly sframeKey?: Bytes;
  readonly sframeSalt?: Bytes;
  readonly nonce?: Bytes;
  readonly aad?: Bytes;
  readonly metadata: Bytes;
  readonly pt: Bytes;
  readonly ct: Bytes;
}

export type VectorCase = HeaderCase | AeadCase | SFrameCase;

export function hexToBytes(hex: string): Bytes {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new VectorFormatError('not an even-length hex string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Marks a JSON number that is not an integer, so the schema check can say so. */
const NOT_INTEGER = Symbol('not an integer');

function exactNumbers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number') return value;
  const source = context?.source;
  if (source !== undefined) return /^-?(0|[1-9][0-9]*)$/.test(source) ? BigInt(source) : NOT_INTEGER;
  // Engines without JSON.parse source access: only integers a double holds exactly are trusted.
  return Number.isSafeInteger(value) ? BigInt(value) : NOT_INTEGER;
}

type Fields = Record<string, unknown>;

function integer(c: Fields, field: string, where: string): bigint {
  const v = c[field];
  if (typeof v !== 'bigint') throw new VectorFormatError(`${where}.${field}: expected an integer`);
  return v;
}

function bytes(c: Fields, field: string, where: string): Bytes {
  const v = c[field];
  if (typeof v !== 'string') throw new VectorFormatError(`${where}.${field}: expected a hex string`);
  try {
    return hexToBytes(v);
  } catch {
    throw new VectorFormatError(`${where}.${field}: expected an even-length hex string`);
  }
}

function optionalBytes(c: Fields, field: string, where: string): Bytes | undefined {
  return c[field] === undefined ? undefined : bytes(c, field, where);
}

function suiteOf(c: Fields, where: string): number {
  const v = integer(c, 'cipher_suite', where);
  if (v < 0n || v > 0xffffn) throw new VectorFormatError(`${where}.cipher_suite: not a 16-bit value`);
  return Number(v);
}

function hexId(v: bigint): string {
  return `0x${v.toString(16)}`;
}

function suiteLabel(suite: number): string {
  try {
    return suiteParams(suite).name;
  } catch {
    return `suite ${suite}`;
  }
}

function parseCase(raw: unknown, where: string): VectorCase {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new VectorFormatError(`${where}: expected an object`);
  }
  const c = raw as Fields;
  if ('base_key' in c) {
    const suite = suiteOf(c, where);
    const kid = integer(c, 'kid', where);
    const ctr = integer(c, 'ctr', where);
    return {
      kind: 'sframe',
      name: `${where} (${suiteLabel(suite)}, KID ${hexId(kid)}, CTR ${hexId(ctr)})`,
      suite,
      kid,
      ctr,
      baseKey: bytes(c, 'base_key', where),
      keyLabel: optionalBytes(c, 'sframe_key_label', where),
      saltLabel: optionalBytes(c, 'sframe_salt_label', where),
      secret: optionalBytes(c, 'sframe_secret', where),
      sframeKey: optionalBytes(c, 'sframe_key', where),
      sframeSalt: optionalBytes(c, 'sframe_salt', where),
      nonce: optionalBytes(c, 'nonce', where),
      aad: optionalBytes(c, 'aad', where),
      metadata: bytes(c, 'metadata', where),
      pt: bytes(c, 'pt', where),
      ct: bytes(c, 'ct', where),
    };
  }
  if ('key' in c) {
    const suite = suiteOf(c, where);
    return {
      kind: 'aead',
      name: `${where} (${suiteLabel(suite)})`,
      suite,
      key: bytes(c, 'key', where),
      encKey: optionalBytes(c, 'enc_key', where),
      authKey: optionalBytes(c, 'auth_key', where),
      nonce: bytes(c, 'nonce', where),
      aad: bytes(c, 'aad', where),
      pt: bytes(c, 'pt', where),
      ct: bytes(c, 'ct', where),
    };
  }
  if ('encoded' in c) {
    const kid = integer(c, 'kid', where);
    const ctr = integer(c, 'ctr', where);
    return {
      kind: 'header',
      name: `${where} (KID ${hexId(kid)}, CTR ${hexId(ctr)})`,
      kid,
      ctr,
      encoded: bytes(c, 'encoded', where),
    };
  }
  throw new VectorFormatError(
    `${where}: not a header, AEAD or SFrame case (no encoded, key or base_key field)`,
  );
}

/** Every case of a vectors file, in file order; throws VectorFormatError if the text is not of the schema. */
export function parseVectors(text: string): VectorCase[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text, exactNumbers);
  } catch (err) {
    throw new VectorFormatError(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new VectorFormatError('expected a JSON object whose members are arrays of cases');
  }
  const cases: VectorCase[] = [];
  for (const [section, list] of Object.entries(doc)) {
    if (!Array.isArray(list)) throw new VectorFormatError(`${section}: expected an array of cases`);
    list.forEach((raw, i) => cases.push(parseCase(raw, `${section}[${i}]`)));
  }
  if (cases.length === 0) throw new VectorFormatError('no test cases');
  return cases;
}

export interface CaseResult {
  readonly name: string;
  /** Empty when the case passed. */
  readonly failures: string[];
}

/** Hex of `b` around byte `at` (the whole of it when short). */
function excerpt(b: Uint8Array, at: number): string {
  if (b.length <= 24) return bytesToHex(b) || '(empty)';
  const start = Math.max(0, Math.min(at - 4, b.length - 16));
  const end = Math.min(b.length, start + 16);
  return `${start > 0 ? '…' : ''}${bytesToHex(b.subarray(start, end))}${end < b.length ? '…' : ''}`;
}

function same(failures: string[], what: string, expected: Uint8Array | undefined, actual: Uint8Array): void {
  if (expected === undefined) return;
  let at = 0;
  while (at < expected.length && at < actual.length && expected[at] === actual[at]) at++;
  if (at === expected.length && at === actual.length) return;
  const where =
    expected.length === actual.length
      ? `byte ${at} of ${expected.length} differs`
      : `${actual.length} bytes instead of ${expected.length}`;
  failures.push(`${what} mismatch (${where}): expected ${excerpt(expected, at)}, got ${excerpt(actual, at)}`);
}

function describe(err: unknown): string {
  if (err instanceof SFrameError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Runs `step`, recording a thrown error as a failure of `what`. */
async function attempt<T>(
  failures: string[],
  what: string,
  step: () => Promise<T> | T,
): Promise<T | undefined> {
  try {
    return await step();
  } catch (err) {
    failures.push(`${what} failed: ${describe(err)}`);
    return undefined;
  }
}

function flipBit(data: Uint8Array, index: number): Bytes {
  const copy = new Uint8Array(data);
  copy[index] ^= 0x01;
  return copy;
}

/** Positions whose flipped bit must be refused: first and middle ciphertext bytes, last tag byte. */
function flipPositions(start: number, length: number): number[] {
  if (length <= start) return [];
  return [...new Set([start, start + Math.floor((length - start) / 2), length - 1])];
}

async function expectRefused(
  failures: string[],
  what: string,
  code: SFrameError['code'] | undefined,
  run: () => Promise<unknown>,
): Promise<void> {
  try {
    await run();
    failures.push(`${what} was accepted`);
  } catch (err) {
    if (!(err instanceof SFrameError) || (code !== undefined && err.code !== code)) {
      failures.push(`${what} was refused for the wrong reason (${describe(err)})`);
    }
  }
}

async function checkHeader(c: HeaderCase, failures: string[]): Promise<void> {
  const encoded = await attempt(failures, 'encodeHeader', () => encodeHeader(c.kid, c.ctr));
  if (encoded) same(failures, 'encoded header', c.encoded, encoded);
  const decoded = await attempt(failures, 'decodeHeader', () => decodeHeader(c.encoded));
  if (decoded) {
    if (decoded.kid !== c.kid) failures.push(`decoded KID ${hexId(decoded.kid)}, expected ${hexId(c.kid)}`);
    if (decoded.ctr !== c.ctr) failures.push(`decoded CTR ${hexId(decoded.ctr)}, expected ${hexId(c.ctr)}`);
    if (decoded.length !== c.encoded.length) {
      failures.push(`decoded header length ${decoded.length}, expected ${c.encoded.length}`);
    }
  }
  if (c.encoded.length > 1) {
    await expectRefused(failures, 'truncated header', 'bad_header', async () =>
      decodeHeader(c.encoded.subarray(0, c.encoded.length - 1)),
    );
  }
}

async function checkAead(c: AeadCase, failures: string[]): Promise<void> {
  const suite = suiteParams(c.suite);
  if (suite.aead === 'AES-CTR-HMAC') {
    same(failures, 'enc_key', c.encKey, c.key.subarray(0, suite.nka));
    same(failures, 'auth_key', c.authKey, c.key.subarray(suite.nka));
  }
  const encKey = await importAeadKey(suite, c.key, 'encrypt');
  const decKey = await importAeadKey(suite, c.key, 'decrypt');
  const ct = await attempt(failures, 'AEAD.Encrypt', () => aeadEncrypt(encKey, c.nonce, c.aad, c.pt));
  if (ct) same(failures, 'ct', c.ct, ct);
  const pt = await attempt(failures, 'AEAD.Decrypt', () => aeadDecrypt(decKey, c.nonce, c.aad, c.ct));
  if (pt === undefined) return; // flipping bits of a ct that does not authenticate proves nothing
  same(failures, 'pt', c.pt, pt);
  for (const i of flipPositions(0, c.ct.length)) {
    await expectRefused(failures, `ct with byte ${i} flipped`, 'auth_failed', () =>
      aeadDecrypt(decKey, c.nonce, c.aad, flipBit(c.ct, i)),
    );
  }
}

/** HKDF-Extract(salt = "", ikm): HMAC keyed with Nh zero bytes, which is what an empty salt means (RFC 5869). */
async function hkdfExtract(suite: number, ikm: Uint8Array): Promise<Bytes> {
  const params = suiteParams(suite);
  const hmacKey = await globalThis.crypto.subtle.importKey(
    'raw',
    new Uint8Array(params.nh),
    { name: 'HMAC', hash: params.hash },
    false,
    ['sign'],
  );
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', hmacKey, bufferSource(ikm)));
}

async function checkSFrame(c: SFrameCase, failures: string[]): Promise<void> {
  suiteParams(c.suite);
  const labels = derivationLabels(c.suite, c.kid);
  same(failures, 'sframe_key_label', c.keyLabel, labels.key);
  same(failures, 'sframe_salt_label', c.saltLabel, labels.salt);
  if (c.secret) same(failures, 'sframe_secret', c.secret, await hkdfExtract(c.suite, c.baseKey));
  const derived = await attempt(failures, 'key derivation', () => deriveKeySalt(c.suite, c.baseKey, c.kid));
  if (derived) {
    same(failures, 'sframe_key', c.sframeKey, derived.key);
    same(failures, 'sframe_salt', c.sframeSalt, derived.salt);
    derived.key.fill(0);
  }
  const key = await deriveKeyMaterial(c.suite, c.baseKey, c.kid, 'encrypt');
  if (c.nonce) same(failures, 'nonce', c.nonce, key.nonce(c.ctr));
  if (c.aad) same(failures, 'aad', c.aad, concatBytes(encodeHeader(c.kid, c.ctr), c.metadata));
  const metadata = c.metadata;
  const ct = await attempt(failures, 'encrypt', () => sframeEncrypt(key, c.ctr, c.pt, { metadata }));
  key.erase();
  if (ct) same(failures, 'ct', c.ct, ct);

  // Decryption goes through a receiver as live code does; each attempt gets a fresh one (fresh replay window).
  const receiver = async (): Promise<SFrameReceiver> => {
    const r = new SFrameReceiver({ suite: c.suite as SFrameSuite });
    await r.addKey(c.kid, c.baseKey);
    return r;
  };
  const frame = await attempt(failures, 'decrypt', async () => (await receiver()).decrypt(c.ct, metadata));
  if (frame === undefined) return; // flipping bits of a ct that does not authenticate proves nothing
  same(failures, 'pt', c.pt, frame.plaintext);
  if (frame.kid !== c.kid || frame.ctr !== c.ctr) {
    failures.push(`decrypt reported KID ${hexId(frame.kid)} CTR ${hexId(frame.ctr)}`);
  }
  const headerLength = decodeHeader(c.ct).length;
  await expectRefused(failures, 'ct with a header bit flipped', undefined, async () =>
    (await receiver()).decrypt(flipBit(c.ct, headerLength - 1), metadata),
  );
  for (const i of flipPositions(headerLength, c.ct.length)) {
    await expectRefused(failures, `ct with byte ${i} flipped`, 'auth_failed', async () =>
      (await receiver()).decrypt(flipBit(c.ct, i), metadata),
    );
  }
  if (metadata.length > 0) {
    await expectRefused(failures, 'metadata with a bit flipped', 'auth_failed', async () =>
      (await receiver()).decrypt(c.ct, flipBit(metadata, 0)),
    );
  }
}

/** Checks one case; never throws (an unexpected error is a failure of the case). */
export async function checkCase(c: VectorCase): Promise<CaseResult> {
  const failures: string[] = [];
  try {
    if (c.kind === 'header') await checkHeader(c, failures);
    else if (c.kind === 'aead') await checkAead(c, failures);
    else await checkSFrame(c, failures);
  } catch (err) {
    failures.push(describe(err));
  }
  return { name: c.name, failures };
}

/** Checks every case, in order. */
export async function checkVectors(cases: readonly VectorCase[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await checkCase(c));
  return results;
}
