import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startConclaveCoturn, type ConclaveCoturn } from './coturn';
import { issueTurnCredential, turnRestPassword, TurnClient, type TurnAnswer } from '@conclave/turn';

/** The relay refuses with 401 Unauthorized (RFC 8489 §9.2.4), 403 Forbidden (RFC 8656 §9.3), 486 (§7.2). */
const UNAUTHORIZED = 401;
const FORBIDDEN = 403;
const QUOTA_REACHED = 486;
/** RFC 8656 §7.2: 442 Unsupported Transport Protocol. */
const UNSUPPORTED_TRANSPORT = 442;

const SFU_ADDRESS = '127.0.0.1';
const HOUR = 3_600_000;

function credentialFor(turn: ConclaveCoturn, userId: string, secret = turn.secrets[0]!) {
  return issueTurnCredential({ secret, userId, now: Date.now(), expiresAt: Date.now() + HOUR });
}

async function allocateAs(
  turn: ConclaveCoturn,
  username: string,
  password: string,
  family?: 'ipv4' | 'ipv6',
) {
  const client = await TurnClient.udp(turn.host, turn.port);
  return { client, answer: await client.allocate(username, password, family ? { family } : {}) };
}

function assertRefused(answer: TurnAnswer, code: number, what: string): void {
  assert.equal(answer.ok, false, `${what} was granted`);
  if (!answer.ok) assert.equal(answer.code, code, `${what}: ${answer.code} ${answer.reason}`);
}

describe('coturn configured by Conclave, attacked through its TURN listener', () => {
  let turn: ConclaveCoturn;
  const clients: TurnClient[] = [];

  before(async () => {
    turn = await startConclaveCoturn({ allowedPeers: [SFU_ADDRESS], allowLoopbackPeers: true, tls: true });
  });
  after(async () => {
    for (const client of clients) client.close();
    await turn?.stop();
  });

  it('allocate() with a REST credential issued for the user succeeds and relays from 127.0.0.1', async () => {
    const credential = credentialFor(turn, 'alice');
    const { client, answer } = await allocateAs(turn, credential.username, credential.credential);
    clients.push(client);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.ok(answer.ok && answer.relayed?.address === '127.0.0.1', JSON.stringify(answer));
  });

  it("allocate() with alice's password under bob's username is refused with 401", async () => {
    const alice = credentialFor(turn, 'alice');
    const bobUsername = alice.username.replace(':alice', ':bob');
    const { client, answer } = await allocateAs(turn, bobUsername, alice.credential);
    clients.push(client);
    assertRefused(answer, UNAUTHORIZED, "bob's username with alice's password");
  });

  it('allocate() with an expired credential (correct HMAC) is refused with 401', async () => {
    const username = `${Math.floor(Date.now() / 1000) - 60}:alice`;
    const { client, answer } = await allocateAs(turn, username, turnRestPassword(turn.secrets[0]!, username));
    clients.push(client);
    assertRefused(answer, UNAUTHORIZED, 'an expired credential');
  });

  it('allocate() with a later expiry than the one signed (tampered username) is refused with 401', async () => {
    const credential = credentialFor(turn, 'alice');
    const [expiry] = credential.username.split(':');
    const stretched = `${Number(expiry) + 86_400 * 365}:alice`;
    const { client, answer } = await allocateAs(turn, stretched, credential.credential);
    clients.push(client);
    assertRefused(answer, UNAUTHORIZED, 'a credential with a stretched expiry');
  });

  it('allocate() with a tampered HMAC is refused with 401', async () => {
    const credential = credentialFor(turn, 'alice');
    const mac = Buffer.from(credential.credential, 'base64');
    mac[0] = mac[0]! ^ 0x01;
    const { client, answer } = await allocateAs(turn, credential.username, mac.toString('base64'));
    clients.push(client);
    assertRefused(answer, UNAUTHORIZED, 'a tampered HMAC');
  });

  it('allocate() succeeds with credentials of either current secret and is refused (401) with a rotated-out one', async () => {
    for (const secret of turn.secrets) {
      const credential = credentialFor(turn, 'carol', secret);
      const { client, answer } = await allocateAs(turn, credential.username, credential.credential);
      clients.push(client);
      assert.equal(answer.ok, true, JSON.stringify(answer));
    }
    const rotatedOut = credentialFor(turn, 'carol', randomBytes(32).toString('base64url'));
    const { client, answer } = await allocateAs(turn, rotatedOut.username, rotatedOut.credential);
    clients.push(client);
    assertRefused(answer, UNAUTHORIZED, 'a credential of a rotated-out secret');
  });

  it('allocate() asking for a day-long lifetime is granted at most maxAllocationLifetimeSeconds', async () => {
    const credential = credentialFor(turn, 'henry');
    const client = await TurnClient.udp(turn.host, turn.port);
    clients.push(client);
    const answer = await client.allocate(credential.username, credential.credential, { lifetime: 86_400 });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.ok(
      answer.ok &&
        answer.lifetime !== undefined &&
        answer.lifetime <= turn.config.maxAllocationLifetimeSeconds,
      JSON.stringify(answer),
    );
  });

  it('allocate() of a TCP relay (RFC 6062) over TLS is refused with 442, while a UDP relay over TLS succeeds', async () => {
    const credential = credentialFor(turn, 'ivan');
    for (const transport of ['tcp', 'udp'] as const) {
      const client = await TurnClient.tls({
        host: turn.host,
        port: turn.tlsPort,
        servername: turn.realm,
        ca: readFileSync(turn.tls!.certFile, 'utf8'),
      });
      clients.push(client);
      const answer = await client.allocate(credential.username, credential.credential, { transport });
      if (transport === 'tcp') assertRefused(answer, UNSUPPORTED_TRANSPORT, 'a TCP relay');
      else assert.equal(answer.ok, true, JSON.stringify(answer));
    }
  });

  it("createPermission() towards the SFU's allowed address succeeds", async () => {
    const credential = credentialFor(turn, 'dave');
    const { client, answer } = await allocateAs(turn, credential.username, credential.credential);
    clients.push(client);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.deepEqual(await client.createPermission(SFU_ADDRESS), { ok: true });
    assert.deepEqual(await client.channelBind(0x4000, SFU_ADDRESS, 40000), { ok: true });
  });

  for (const peer of [
    '10.0.0.1',
    '192.168.1.1',
    '172.16.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '127.0.0.2',
    '0.0.0.1',
    '198.18.0.1',
    '::1',
    'fc00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
  ]) {
    const family = peer.includes(':') ? 'ipv6' : 'ipv4';
    it(`createPermission() and channelBind() towards the denied ${peer} from an ${family} relay are refused with 403`, async () => {
      const credential = credentialFor(turn, `mallory-${peer}`);
      const { client, answer } = await allocateAs(turn, credential.username, credential.credential, family);
      clients.push(client);
      assert.equal(answer.ok, true, JSON.stringify(answer));
      assertRefused(await client.createPermission(peer), FORBIDDEN, `a permission towards ${peer}`);
      assertRefused(await client.channelBind(0x4001, peer, 22), FORBIDDEN, `a channel towards ${peer}`);
    });
  }
});

describe('coturn configured by Conclave without allowed peers', () => {
  let turn: ConclaveCoturn;

  before(async () => {
    turn = await startConclaveCoturn();
  });
  after(async () => {
    await turn?.stop();
  });

  it('createPermission() towards 127.0.0.1 is refused with 403 when no SFU address is allowed', async () => {
    const credential = credentialFor(turn, 'mallory');
    const { client, answer } = await allocateAs(turn, credential.username, credential.credential);
    try {
      assert.equal(answer.ok, true, JSON.stringify(answer));
      assertRefused(await client.createPermission('127.0.0.1'), FORBIDDEN, 'a permission towards 127.0.0.1');
    } finally {
      client.close();
    }
  });
});

describe('coturn quotas configured by Conclave', () => {
  let turn: ConclaveCoturn;
  const clients: TurnClient[] = [];

  before(async () => {
    turn = await startConclaveCoturn({ quotas: { perUser: 2, total: 3 } });
  });
  after(async () => {
    for (const client of clients) client.close();
    await turn?.stop();
  });

  it('allocate() beyond the per-user quota is refused with 486, even under a fresh credential, while another user still allocates until the total quota', async () => {
    const erin = credentialFor(turn, 'erin');
    for (let i = 0; i < 2; i++) {
      const { client, answer } = await allocateAs(turn, erin.username, erin.credential);
      clients.push(client);
      assert.equal(answer.ok, true, `allocation ${i + 1} of 2: ${JSON.stringify(answer)}`);
    }
    const third = await allocateAs(turn, erin.username, erin.credential);
    clients.push(third.client);
    assertRefused(third.answer, QUOTA_REACHED, "erin's third allocation");
    // A fresh credential (another expiry) is the same user: coturn counts the quota on the user id.
    const later = issueTurnCredential({
      secret: turn.secrets[1]!,
      userId: 'erin',
      now: Date.now(),
      expiresAt: Date.now() + 2 * HOUR,
    });
    const fresh = await allocateAs(turn, later.username, later.credential);
    clients.push(fresh.client);
    assertRefused(fresh.answer, QUOTA_REACHED, "erin's third allocation under a fresh credential");

    const frank = credentialFor(turn, 'frank');
    const other = await allocateAs(turn, frank.username, frank.credential);
    clients.push(other.client);
    assert.equal(other.answer.ok, true, JSON.stringify(other.answer));

    const grace = credentialFor(turn, 'grace');
    const beyondTotal = await allocateAs(turn, grace.username, grace.credential);
    clients.push(beyondTotal.client);
    assertRefused(beyondTotal.answer, QUOTA_REACHED, 'an allocation beyond the total quota');
  });
});
