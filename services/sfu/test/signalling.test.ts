import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PROTOCOL_VERSION, type ErrorCode } from '@conclave/protocol';
import { SignallingError, type SignallingClient } from '@conclave/client';
import { TicketSigner } from '@conclave/testing';
import { waitFor } from './support/plain-rtp';
import { startSfu, type SfuFixture } from './support/sfu-fixture';

async function refusal(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SignallingError, `expected a SignallingError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('the request was accepted');
}

function nextUnmatchedError(client: SignallingClient): Promise<ErrorCode> {
  return new Promise((resolve) => client.onUnmatchedError((code) => resolve(code)));
}

describe('SFU signalling edge', () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu({ signalling: { maxMessageBytes: 4096, rateLimit: { perSecond: 5, burst: 20 } } });
  });
  after(() => sfu.close());

  test('hello with a valid ticket returns the router capabilities, the rights and the E2EE group', async () => {
    const { client, hello } = await sfu.join({
      user: 'alice',
      room: 'r-hello',
      participant: 'pa',
      rights: ['consume', 'produce:audio'],
    });
    assert.equal(hello.participantId, 'pa');
    assert.equal(hello.userId, 'alice');
    assert.deepEqual(hello.rights, ['consume', 'produce:audio']);
    const codecs = (hello.routerRtpCapabilities as { codecs: { mimeType: string }[] }).codecs.map(
      (c) => c.mimeType,
    );
    assert.ok(codecs.includes('audio/opus') && codecs.includes('video/VP8') && codecs.includes('video/VP9'));
    assert.equal(hello.e2ee.epoch, null);
    client.close();
  });

  test('hello with a ticket signed by an unknown key is refused with invalid_ticket', async () => {
    const stranger = await TicketSigner.create(sfu.dir + '/..');
    const client = await sfu.connect();
    assert.equal(
      await refusal(client.hello(await stranger.sign({ user: 'mallory', room: 'r1' }))),
      'invalid_ticket',
    );
    client.close();
  });

  test('hello with an expired ticket is refused with ticket_expired', async () => {
    const client = await sfu.connect();
    const ticket = await sfu.signer.sign({
      user: 'bob',
      room: 'r1',
      issuedAt: Math.floor(Date.now() / 1000) - 120,
      expiresIn: 60,
    });
    assert.equal(await refusal(client.hello(ticket)), 'ticket_expired');
    client.close();
  });

  test('a ticket is accepted once: a second hello with it is refused with ticket_replayed', async () => {
    const ticket = await sfu.signer.sign({ user: 'carol', room: 'r-replay' });
    const first = await sfu.connect();
    await first.hello(ticket);
    const second = await sfu.connect();
    assert.equal(await refusal(second.hello(ticket)), 'ticket_replayed');
    first.close();
    second.close();
  });

  test('a ticket for another audience or living longer than 5 minutes is refused', async () => {
    const first = await sfu.connect();
    assert.equal(
      await refusal(first.hello(await sfu.signer.sign({ user: 'd', room: 'r', audience: 'conclave-auth' }))),
      'invalid_ticket',
    );
    const second = await sfu.connect();
    assert.equal(
      await refusal(second.hello(await sfu.signer.sign({ user: 'd', room: 'r', expiresIn: 3600 }))),
      'invalid_ticket',
    );
  });

  test('hello with another protocol version is refused with unsupported_protocol_version', async () => {
    const client = await sfu.connect();
    const ticket = await sfu.signer.sign({ user: 'eve', room: 'r1' });
    const code = await refusal(client.request('hello', { protocolVersion: PROTOCOL_VERSION + 1, ticket }));
    assert.equal(code, 'unsupported_protocol_version');
    client.close();
  });

  test('a request before hello is refused with not_authenticated', async () => {
    const client = await sfu.connect();
    assert.equal(
      await refusal(client.request('createTransport', { direction: 'send', transport: 'webrtc' })),
      'not_authenticated',
    );
    client.close();
  });

  test('malformed, unknown, oversized and binary messages are refused with their codes and the session goes on', async () => {
    const { client } = await sfu.join({ user: 'frank', room: 'r-edge' });
    let error = nextUnmatchedError(client);
    client.sendRaw('{not json');
    assert.equal(await error, 'malformed_message');

    assert.equal(await refusal(client.request('noSuchThing' as 'leave', {})), 'unknown_type');
    assert.equal(
      await refusal(
        client.request('createTransport', { direction: 'sideways' as 'send', transport: 'webrtc' }),
      ),
      'malformed_message',
    );
    assert.equal(
      await refusal(client.request('join', { rtpCapabilities: { pad: 'x'.repeat(5000) } })),
      'message_too_large',
    );
    error = nextUnmatchedError(client);
    client.sendRaw('"just a string"');
    assert.equal(await error, 'malformed_message');
    // Still served after all of that.
    const transport = await client.request('createTransport', { direction: 'recv', transport: 'webrtc' });
    assert.equal(transport.transport, 'webrtc');
    client.close();
  });

  test('a burst beyond the rate limit is refused with rate_limited, not disconnected', async () => {
    const { client } = await sfu.join({ user: 'grace', room: 'r-rate' });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => client.request('pauseConsumer', { consumerId: 'none' })),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as SignallingError).code : 'ok'));
    assert.ok(codes.includes('rate_limited'), `codes: ${codes.join(',')}`);
    assert.ok(codes.includes('not_found'));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(await refusal(client.request('pauseConsumer', { consumerId: 'none' })), 'not_found');
    client.close();
  });

  test('messages beyond the rate limit are refused with rate_limited before being parsed, even before hello', async () => {
    const client = await sfu.connect();
    const codes: ErrorCode[] = [];
    client.onUnmatchedError((code) => codes.push(code));
    for (let i = 0; i < 40; i++) client.sendRaw('{not json');
    await waitFor(() => codes.length === 40, 5000, '40 refusals');
    assert.ok(codes.filter((c) => c === 'malformed_message').length <= 21, codes.join(','));
    assert.ok(codes.filter((c) => c === 'rate_limited').length >= 19, codes.join(','));
    client.close();
  });

  test('plain RTP transports are refused unless the configuration enables them', async () => {
    const { client } = await sfu.join({ user: 'heidi', room: 'r-plain' });
    assert.equal(
      await refusal(client.request('createTransport', { direction: 'send', transport: 'plain' })),
      'forbidden',
    );
    client.close();
  });

  test('/metrics on the internal port exposes conclave_sfu_* series', async () => {
    const response = await fetch(`${sfu.server.internalUrl}/metrics`);
    const text = await response.text();
    for (const name of [
      'conclave_sfu_workers',
      'conclave_sfu_rooms',
      'conclave_sfu_participants',
      'conclave_sfu_producers',
      'conclave_sfu_consumers',
      'conclave_sfu_rtp_packets_total',
      'conclave_sfu_rtp_bytes_total',
      'conclave_sfu_rtp_packets_lost_total',
      'conclave_sfu_worker_cpu_seconds',
      'conclave_sfu_nodejs_eventloop_lag_seconds',
      'conclave_sfu_signalling_refusals_total',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  test('the internal API refuses callers without the bearer token', async () => {
    const response = await fetch(`${sfu.server.internalUrl}/internal/v1/rooms`);
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { code: 'not_authenticated', message: 'bearer token required' });
  });
});
