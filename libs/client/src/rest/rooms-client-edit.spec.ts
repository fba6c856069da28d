import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestError } from './rest-error';
import { RoomsClient } from './rooms-client';

/** A fetch that answers one canned reply and records the request. */
function cannedFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const view = {
  id: 'm1',
  kind: 'scheduled',
  title: 'Comité',
  startsAt: '2026-12-08T09:00:00.000Z',
  endsAt: '2026-12-08T10:00:00.000Z',
  timeZone: 'Europe/Paris',
  organiser: 'u1',
  classification: null,
  e2eeSuite: 'xwing-pq',
  status: 'cancelled',
  coOrganisers: [],
  invitees: ['u2'],
  groups: [],
  autoAdmit: [],
  lobby: true,
  knock: false,
  locked: true,
};

describe('RoomsClient edit and cancel', () => {
  it('edit() sends PATCH /api/rooms/meetings/{id} with the fields given and returns the validated view', async () => {
    const { fetch, calls } = cannedFetch(200, { ...view, status: 'scheduled' });
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    assert.equal((await rooms.edit('m1', { title: 'Comité' })).status, 'scheduled');
    assert.equal(calls[0]!.url, '/api/rooms/meetings/m1');
    assert.equal(calls[0]!.init.method, 'PATCH');
    assert.deepEqual(JSON.parse(String(calls[0]!.init.body)), { title: 'Comité' });
  });

  it('cancel() posts to …/cancel and accepts the cancelled status', async () => {
    const { fetch, calls } = cannedFetch(200, view);
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    assert.equal((await rooms.cancel('m1')).status, 'cancelled');
    assert.equal(calls[0]!.url, '/api/rooms/meetings/m1/cancel');
    assert.equal(calls[0]!.init.method, 'POST');
  });

  it('edit() rejects with the refusal code e2ee_suite_locked and its 409', async () => {
    const { fetch } = cannedFetch(409, { code: 'e2ee_suite_locked', message: 'someone entered' });
    const rooms = new RoomsClient({ fetch, accessToken: () => 't' });
    await assert.rejects(
      rooms.edit('m1', { e2eeSuite: 'aes256' }),
      (e: unknown) => e instanceof RestError && e.code === 'e2ee_suite_locked' && e.status === 409,
    );
  });
});
