import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { MEMBER_CREDENTIAL_TYPE } from '@conclave/protocol';
import { MemberStatementVerifier, readMemberStatement, toBase64url } from './member-statement';

const text = (s: string) => new TextEncoder().encode(s);
const NOW = 1_800_000_000;

/** An ES256 issuer with WebCrypto, signing what room control signs (and what it never would). */
async function issuer(kid: string) {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const sign = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const head = toBase64url(
      text(JSON.stringify({ alg: 'ES256', kid, typ: MEMBER_CREDENTIAL_TYPE, ...header })),
    );
    const body = toBase64url(text(JSON.stringify(claims)));
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      pair.privateKey,
      text(`${head}.${body}`),
    );
    return text(`${head}.${body}.${toBase64url(new Uint8Array(signature))}`);
  };
  return { key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' }, sign };
}

const KEY = new Uint8Array(97).fill(4);
const OTHER_KEY = new Uint8Array(97).fill(5);
const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: 'conclave-rooms',
  aud: 'conclave-mls',
  sub: 'bob',
  room: 'meeting-1',
  pid: 'p-bob',
  name: 'Bob Durand',
  spk: toBase64url(KEY),
  iat: NOW - 60,
  exp: NOW + 3540,
  ...overrides,
});

describe('MemberStatementVerifier', () => {
  let rooms: Awaited<ReturnType<typeof issuer>>;
  let verifier: MemberStatementVerifier;
  before(async () => {
    rooms = await issuer('rooms-1');
    verifier = await MemberStatementVerifier.create({
      keySet: { keys: [rooms.key] },
      meetingId: 'meeting-1',
      nowS: () => NOW,
    });
  });

  test('verify() returns the statement room control signed for this meeting and this exact key', async () => {
    const verdict = await verifier.verify(await rooms.sign(claims()), KEY, true);
    assert.ok(typeof verdict !== 'string');
    assert.deepEqual(
      [verdict.userId, verdict.displayName, verdict.participantId],
      ['bob', 'Bob Durand', 'p-bob'],
    );
  });

  test('verify() refuses a genuine statement presented with another signature key (other_signature_key)', async () => {
    assert.equal(await verifier.verify(await rooms.sign(claims()), OTHER_KEY, false), 'other_signature_key');
  });

  test('verify() refuses a statement of another meeting (other_meeting)', async () => {
    assert.equal(
      await verifier.verify(await rooms.sign(claims({ room: 'meeting-2' })), KEY, false),
      'other_meeting',
    );
  });

  test('verify() refuses a statement signed by a key room control does not publish (unknown_key, bad_signature)', async () => {
    const forger = await issuer('forger');
    assert.equal(await verifier.verify(await forger.sign(claims()), KEY, false), 'unknown_key');
    const sameKid = await issuer('rooms-1');
    assert.equal(await verifier.verify(await sameKid.sign(claims()), KEY, false), 'bad_signature');
  });

  test('verify() refuses another JWT type, e.g. a join ticket (wrong_type)', async () => {
    assert.equal(await verifier.verify(await rooms.sign(claims(), { typ: 'JWT' }), KEY, false), 'wrong_type');
  });

  test('verify() refuses an expired statement for an Add, and keeps a member that joined while it was valid', async () => {
    const old = await rooms.sign(claims({ iat: NOW - 7200, exp: NOW - 3600 }));
    assert.equal(await verifier.verify(old, KEY, true), 'expired');
    assert.ok(typeof (await verifier.verify(old, KEY, false)) !== 'string');
  });

  test('verify() refuses bytes that are not a statement, and readMemberStatement() reads none from them', async () => {
    for (const bytes of [
      text('user:bob'),
      text('a.b.c'),
      new Uint8Array([0xff, 0x2e]),
      new Uint8Array(3000).fill(0x61),
    ]) {
      assert.equal(await verifier.verify(bytes, KEY, false), 'not_a_statement');
      assert.equal(readMemberStatement(bytes), undefined);
    }
  });

  test('create() refuses a key set that is not ES256 P-256 keys', async () => {
    await assert.rejects(
      MemberStatementVerifier.create({ keySet: { keys: [{ ...rooms.key, crv: 'P-384' }] }, meetingId: 'm' }),
      /not a member-credential key set/,
    );
  });
});
