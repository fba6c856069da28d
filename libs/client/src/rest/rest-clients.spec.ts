import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthClient } from './auth-client';
import { RestError } from './rest-error';
import { RoomsClient } from './rooms-client';

/** A fetch that answers one canned reply and records the request. */
function cannedFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const meeting = {
  id: 'm1',
  kind: 'instant',
  title: 'Crisis cell',
  startsAt: '2026-12-07T10:00:00.000Z',
  endsAt: '2026-12-07T11:00:00.000Z',
  timeZone: 'Europe/Paris',
  organiser: 'u1',
  classification: null,
  e2eeSuite: 'aes256',
  status: 'live',
};

describe('RoomsClient', () => {
  it('listMine() sends the bearer token to /api/rooms/meetings and returns the validated list', async () => {
    const { fetch, calls } = cannedFetch(200, [meeting]);
    const rooms = new RoomsClient({ fetch, accessToken: () => 'token-1' });
    assert.deepEqual(await rooms.listMine(), [meeting]);
    assert.equal(calls[0]!.url, '/api/rooms/meetings');
    assert.equal((calls[0]!.init.headers as Record<string, string>).authorization, 'Bearer token-1');
  });

  it('listMine() rejects with unexpected_reply when the service answers another shape', async () => {
    const { fetch } = cannedFetch(200, [{ ...meeting, e2eeSuite: 'none' }]);
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    await assert.rejects(
      rooms.listMine(),
      (e: unknown) => e instanceof RestError && e.code === 'unexpected_reply',
    );
  });

  it('join() rejects with the service refusal code (meeting_locked) and its status', async () => {
    const { fetch } = cannedFetch(403, { code: 'meeting_locked', message: 'this meeting is locked' });
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    await assert.rejects(
      rooms.join('m1'),
      (e: unknown) => e instanceof RestError && e.code === 'meeting_locked' && e.status === 403,
    );
  });

  it('participantState() reads one session and keeps only its id and state', async () => {
    const { fetch, calls } = cannedFetch(200, { participantId: 'p1', state: 'admitted', name: 'Ann' });
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    assert.deepEqual(await rooms.participantState('m1', 'p1'), { participantId: 'p1', state: 'admitted' });
    assert.equal(calls[0]!.url, '/api/rooms/meetings/m1/participants/p1');
  });

  it('ticket() posts to the session ticket path and returns the validated ticket', async () => {
    const reply = { ticket: 'a'.repeat(40), expiresAt: '2026-12-07T10:01:00.000Z', signallingUrl: null };
    const { fetch, calls } = cannedFetch(200, reply);
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    assert.deepEqual(await rooms.ticket('m1', 'p1'), reply);
    assert.equal(calls[0]!.url, '/api/rooms/meetings/m1/participants/p1/ticket');
    assert.equal(calls[0]!.init.method, 'POST');
  });

  it("ticket() keeps the appliance's TURN relay and credential room control gives with the ticket", async () => {
    const reply = {
      ticket: 'a'.repeat(40),
      expiresAt: '2026-12-07T10:01:00.000Z',
      signallingUrl: null,
      iceServers: {
        iceServers: [
          {
            urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:443?transport=tcp'],
            username: '1796637660:u1',
            credential: `${'A'.repeat(27)}=`,
          },
        ],
        expiresAt: '2026-12-07T11:00:00.000Z',
      },
    };
    const { fetch } = cannedFetch(200, reply);
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    assert.deepEqual(await rooms.ticket('m1', 'p1'), reply);
  });

  it('ticket() rejects with unexpected_reply when an ICE server is not a turn:/turns: URL', async () => {
    const { fetch } = cannedFetch(200, {
      ticket: 'a'.repeat(40),
      expiresAt: '2026-12-07T10:01:00.000Z',
      signallingUrl: null,
      iceServers: {
        iceServers: [
          { urls: ['stun:stun.l.google.com:19302'], username: '1:u1', credential: `${'A'.repeat(27)}=` },
        ],
        expiresAt: '2026-12-07T11:00:00.000Z',
      },
    });
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    await assert.rejects(
      rooms.ticket('m1', 'p1'),
      (e: unknown) => e instanceof RestError && e.code === 'unexpected_reply',
    );
  });

  it('ticket() rejects with unexpected_reply when the signalling URL is not a WebSocket URL', async () => {
    const { fetch } = cannedFetch(200, {
      ticket: 'a'.repeat(40),
      expiresAt: '2026-12-07T10:01:00.000Z',
      signallingUrl: 'javascript:alert(1)',
    });
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    await assert.rejects(
      rooms.ticket('m1', 'p1'),
      (e: unknown) => e instanceof RestError && e.code === 'unexpected_reply',
    );
  });

  const participant = {
    participantId: 'p2',
    userId: 'u2',
    name: 'Pia',
    state: 'admitted',
    role: 'participant',
    rights: ['consume', 'produce:audio'],
  };

  it('each organiser power calls its room-control route with its method and body, and returns the validated answer', async () => {
    const cases: [(rooms: RoomsClient) => Promise<unknown>, string, string, unknown][] = [
      [(r) => r.mute('m1', 'p2'), 'POST', '/participants/p2/mute', { source: 'microphone' }],
      [(r) => r.askUnmute('m1', 'p2'), 'POST', '/participants/p2/ask-unmute', undefined],
      [(r) => r.setCamera('m1', 'p2', false), 'PUT', '/participants/p2/camera', { allowed: false }],
      [(r) => r.setShare('m1', 'p2', true), 'PUT', '/participants/p2/share', { allowed: true }],
      [(r) => r.remove('m1', 'p2'), 'POST', '/participants/p2/remove', undefined],
      [(r) => r.promote('m1', 'p2'), 'POST', '/participants/p2/promote', undefined],
      [(r) => r.lowerHand('m1', 'p2'), 'POST', '/participants/p2/lower-hand', undefined],
    ];
    for (const [call, method, path, body] of cases) {
      const { fetch, calls } = cannedFetch(200, participant);
      assert.deepEqual(await call(new RoomsClient({ fetch, accessToken: () => 't' })), participant);
      assert.equal(calls[0]!.url, `/api/rooms/meetings/m1${path}`);
      assert.equal(calls[0]!.init.method, method);
      assert.equal(calls[0]!.init.body, body === undefined ? undefined : JSON.stringify(body));
    }
  });

  it('setLocked(), end() and lowerAllHands() post to the meeting routes and return the validated meeting', async () => {
    const view = {
      ...meeting,
      coOrganisers: [],
      invitees: [],
      groups: [],
      autoAdmit: [],
      lobby: true,
      knock: false,
      locked: true,
    };
    const cases: [(rooms: RoomsClient) => Promise<unknown>, string][] = [
      [(r) => r.setLocked('m1', true), '/lock'],
      [(r) => r.setLocked('m1', false), '/unlock'],
      [(r) => r.end('m1'), '/end'],
      [(r) => r.lowerAllHands('m1'), '/hands/lower-all'],
    ];
    for (const [call, path] of cases) {
      const { fetch, calls } = cannedFetch(200, view);
      assert.deepEqual(await call(new RoomsClient({ fetch, accessToken: () => 't' })), view);
      assert.deepEqual([calls[0]!.init.method, calls[0]!.url], ['POST', `/api/rooms/meetings/m1${path}`]);
    }
  });

  it('a power refused to a promoted co-organiser rejects with organiser_protected', async () => {
    const { fetch } = cannedFetch(403, { code: 'organiser_protected', message: 'no' });
    await assert.rejects(
      new RoomsClient({ fetch, accessToken: () => 't' }).remove('m1', 'p1'),
      (e: unknown) => e instanceof RestError && e.code === 'organiser_protected',
    );
  });

  it('participants() rejects with unexpected_reply when a role is not one room control gives', async () => {
    const { fetch } = cannedFetch(200, [{ ...participant, role: 'administrator' }]);
    await assert.rejects(
      new RoomsClient({ fetch, accessToken: () => 't' }).participants('m1'),
      (e: unknown) => e instanceof RestError && e.code === 'unexpected_reply',
    );
  });

  it('participantEvents() returns the unmute requests and rejects an event type it does not know', async () => {
    const request = { type: 'unmute-requested', by: 'u1', at: '2026-12-07T10:00:00.000Z' };
    const ok = cannedFetch(200, [request]);
    const rooms = new RoomsClient({ fetch: ok.fetch, accessToken: () => 't' });
    assert.deepEqual(await rooms.participantEvents('m1', 'p2'), [request]);
    assert.equal(ok.calls[0]!.url, '/api/rooms/meetings/m1/participants/p2/events');
    const odd = cannedFetch(200, [{ ...request, type: 'unmute-now' }]);
    await assert.rejects(
      new RoomsClient({ fetch: odd.fetch, accessToken: () => 't' }).participantEvents('m1', 'p2'),
      (e: unknown) => e instanceof RestError && e.code === 'unexpected_reply',
    );
  });
});

describe('AuthClient', () => {
  it('login() returns a password_change_required step as sent', async () => {
    const step = { kind: 'password_change_required', stepToken: 'step', expiresIn: 300 };
    const { fetch, calls } = cannedFetch(200, step);
    assert.deepEqual(await new AuthClient({ fetch }).login({ username: 'a', password: 'b' }), step);
    assert.equal(calls[0]!.init.body, JSON.stringify({ username: 'a', password: 'b' }));
  });

  it('login() rejects a refusal whose code is not one of ours with unexpected_reply', async () => {
    const { fetch } = cannedFetch(401, { code: 'user_does_not_exist', message: 'x' });
    await assert.rejects(
      new AuthClient({ fetch }).login({ username: 'a', password: 'b' }),
      (e: unknown) => e instanceof RestError && e.code === 'unexpected_reply',
    );
  });

  it('refresh() sends the CSRF token in x-csrf-token', async () => {
    const tokens = {
      kind: 'tokens',
      accessToken: 'a',
      expiresIn: 300,
      refreshToken: 'r',
      tokenType: 'Bearer',
    };
    const { fetch, calls } = cannedFetch(200, tokens);
    assert.deepEqual(await new AuthClient({ fetch, csrfToken: () => 'csrf-1' }).refresh(), tokens);
    assert.equal((calls[0]!.init.headers as Record<string, string>)['x-csrf-token'], 'csrf-1');
  });

  it('searchDirectory() sends q and kind in the query and returns the validated entries', async () => {
    const reply = { entries: [{ kind: 'group', id: 'cn=finance,dc=x', displayName: 'finance' }] };
    const { fetch, calls } = cannedFetch(200, reply);
    assert.deepEqual(
      await new AuthClient({ fetch }).searchDirectory('t', { q: 'fin ance', kind: 'group' }),
      reply,
    );
    assert.equal(calls[0]!.url, '/api/auth/directory?q=fin+ance&kind=group');
  });

  it('searchDirectory() rejects with unexpected_reply when an entry carries more than a display name', async () => {
    const { fetch } = cannedFetch(200, {
      entries: [{ kind: 'user', id: 'u1', displayName: 'Ann', mail: 'ann@example.org' }],
    });
    await assert.rejects(
      new AuthClient({ fetch }).searchDirectory('t', { q: 'an' }),
      (e: unknown) => e instanceof RestError && e.code === 'unexpected_reply',
    );
  });

  it('a 429 refusal carries the Retry-After seconds', async () => {
    const { fetch } = cannedFetch(
      429,
      { code: 'account_locked', message: 'later' },
      { 'retry-after': '840' },
    );
    await assert.rejects(
      new AuthClient({ fetch }).login({ username: 'a', password: 'b' }),
      (e: unknown) => e instanceof RestError && e.code === 'account_locked' && e.retryAfterSeconds === 840,
    );
  });

  it('providers() refuses a provider whose start path leaves the origin with unexpected_reply', async () => {
    const { fetch } = cannedFetch(200, {
      providers: [{ kind: 'oidc', displayName: 'Evil', loginPath: 'https://evil.example/login' }],
    });
    await assert.rejects(
      new AuthClient({ fetch }).providers(),
      (e: unknown) => e instanceof RestError && e.code === 'unexpected_reply',
    );
  });
});
