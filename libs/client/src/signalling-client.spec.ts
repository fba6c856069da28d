import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SignallingClient,
  SignallingError,
  type InvalidServerMessage,
  type WebSocketLike,
} from './signalling-client';

/** A WebSocket stand-in: records what the client sends and lets the test deliver server messages. */
class FakeSocket implements WebSocketLike {
  readyState = 1;
  readonly sent: Record<string, unknown>[] = [];
  private readonly handlers = new Map<string, ((event: { data?: unknown }) => void)[]>();
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.readyState = 3;
  }
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), listener]);
  }
  deliver(message: unknown): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    for (const listener of this.handlers.get('message') ?? []) listener({ data });
  }
}

async function client(): Promise<{
  socket: FakeSocket;
  signalling: SignallingClient;
  invalid: InvalidServerMessage[];
}> {
  const socket = new FakeSocket();
  const signalling = await SignallingClient.connect(socket);
  const invalid: InvalidServerMessage[] = [];
  signalling.onInvalidMessage((problem) => invalid.push(problem));
  return { socket, signalling, invalid };
}

describe('SignallingClient server-message validation', () => {
  it('delivers a well-formed notification to its listeners', async () => {
    const { socket, signalling, invalid } = await client();
    const seen: string[] = [];
    signalling.on('peerLeft', (m) => seen.push(m.participantId));
    socket.deliver({ type: 'peerLeft', participantId: 'bob-web' });
    assert.deepEqual(seen, ['bob-web']);
    assert.deepEqual(invalid, []);
  });

  it('drops and reports a notification with a field of the wrong type, without calling listeners', async () => {
    const { socket, signalling, invalid } = await client();
    const seen: unknown[] = [];
    signalling.on('mlsCommit', (m) => seen.push(m));
    socket.deliver({ type: 'mlsCommit', epoch: 2, message: 'AAAA', from: 'x', roster: [{ leafIndex: -1 }] });
    assert.deepEqual(seen, []);
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0]!.stage, 'envelope');
    assert.equal(invalid[0]!.type, 'mlsCommit');
    assert.ok(invalid[0]!.paths.some((p) => p.startsWith('roster.0')));
  });

  it('delivers a handChanged and drops one whose raised flag or author is forged', async () => {
    const { socket, signalling, invalid } = await client();
    const seen: unknown[] = [];
    signalling.on('handChanged', (m) => seen.push(m));
    const hand = { type: 'handChanged', participantId: 'bob-web', raised: true, by: 'self' };
    socket.deliver(hand);
    socket.deliver({ ...hand, raised: 'yes' });
    socket.deliver({ ...hand, by: 'administrator' });
    assert.deepEqual(seen, [hand]);
    assert.deepEqual(
      invalid.map((p) => [p.stage, p.type, p.paths.join()]),
      [
        ['envelope', 'handChanged', 'raised'],
        ['envelope', 'handChanged', 'by'],
      ],
    );
  });

  it('drops and reports text that is not JSON and a notification of an unknown type', async () => {
    const { socket, invalid } = await client();
    socket.deliver('{not json');
    socket.deliver({ type: 'becomeOrganiser' });
    socket.deliver(null);
    assert.deepEqual(
      invalid.map((p) => [p.stage, p.type]),
      [
        ['json', undefined],
        ['envelope', 'becomeOrganiser'],
        ['envelope', undefined],
      ],
    );
  });

  it('request() resolves with the checked data of a well-formed answer', async () => {
    const { socket, signalling } = await client();
    const answer = signalling.request('produce', {
      transportId: 't1',
      source: 'camera',
      kind: 'video',
      rtpParameters: {},
    });
    socket.deliver({ type: 'response', id: socket.sent[0]!.id, ok: true, data: { producerId: 'p1' } });
    assert.deepEqual(await answer, { producerId: 'p1' });
  });

  it('request() rejects with malformed_message when the answer does not match its request type', async () => {
    const { socket, signalling, invalid } = await client();
    const answer = signalling.request('mlsGroupCreated', { keyPackage: 'AAAA' });
    socket.deliver({ type: 'response', id: socket.sent[0]!.id, ok: true, data: { epoch: 'zero' } });
    await assert.rejects(
      answer,
      (error) => error instanceof SignallingError && error.code === 'malformed_message',
    );
    assert.deepEqual(
      invalid.map((p) => [p.stage, p.type, p.paths]),
      [['data', 'mlsGroupCreated', ['epoch']]],
    );
  });

  it('request() rejects with the server code of a refusal, and drops a refusal with an unknown code', async () => {
    const { socket, signalling, invalid } = await client();
    const first = signalling.request('leave', {});
    socket.deliver({
      type: 'response',
      id: socket.sent[0]!.id,
      ok: false,
      error: { code: 'forbidden', message: 'no' },
    });
    await assert.rejects(first, (error) => error instanceof SignallingError && error.code === 'forbidden');
    void signalling.request('leave', {}).catch(() => undefined);
    socket.deliver({
      type: 'response',
      id: socket.sent[1]!.id,
      ok: false,
      error: { code: 'made_up', message: 'x' },
    });
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0]!.stage, 'envelope');
  });

  it('hello() rejects with malformed_message and closes the connection when the answer is malformed', async () => {
    const { socket, signalling } = await client();
    const answer = signalling.hello('x'.repeat(32));
    socket.deliver({
      type: 'response',
      id: socket.sent[0]!.id,
      ok: true,
      data: { participantId: 'alice-web', userId: 'alice', roomId: 'r', rights: ['admin-everything'] },
    });
    await assert.rejects(
      answer,
      (error) => error instanceof SignallingError && error.code === 'malformed_message',
    );
    assert.equal(socket.readyState, 3);
  });
});
