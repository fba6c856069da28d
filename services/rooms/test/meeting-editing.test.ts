import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

const HOUR = 3_600_000;

/** Editing (`PATCH /meetings/{id}`) and cancelling (`POST …/cancel`) a meeting through the real service. */
describe('editing and cancelling a meeting', () => {
  let rooms: RoomsFixture;
  const sfu = new RecordingSfu();
  const tokens = new Map<string, string>();
  const as = (user: string) => tokens.get(user)!;

  before(async () => {
    rooms = await startRooms({ sfu });
    tokens.set('alice', await rooms.tokens.token('alice', { roles: ['organiser'], name: 'Alice' }));
    tokens.set('bob', await rooms.tokens.token('bob', { roles: ['organiser'], name: 'Bob' }));
    tokens.set('carol', await rooms.tokens.token('carol', { name: 'Carol' }));
    tokens.set('dave', await rooms.tokens.token('dave', { name: 'Dave' }));
  });
  after(() => rooms.close());

  const schedule = async (overrides: Record<string, unknown> = {}) => {
    const response = await rooms.api('POST', '/meetings', as('alice'), {
      title: 'Comité de sécurité',
      startsAt: new Date(Date.now() + HOUR).toISOString(),
      endsAt: new Date(Date.now() + 2 * HOUR).toISOString(),
      timeZone: 'Europe/Paris',
      invitees: ['carol'],
      coOrganisers: ['bob'],
      ...overrides,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body as { id: string };
  };
  const edit = (id: string, user: string, body: unknown) =>
    rooms.api('PATCH', `/meetings/${id}`, as(user), body);
  const cancel = (id: string, user: string) => rooms.api('POST', `/meetings/${id}/cancel`, as(user));
  const get = async (id: string) => (await rooms.api('GET', `/meetings/${id}`, as('alice'))).body;
  const audit = async (action: string, target: string) =>
    (await rooms.server.dataSource.query(
      'SELECT outcome, actor, reason, details FROM audit_entries WHERE action = ? AND target = ? ORDER BY sequence',
      [action, target],
    )) as { outcome: string; actor: string; reason: string | null; details: string | null }[];

  test('PATCH by the organiser changes the fields given, invitees see the new title, and the audit names what changed', async () => {
    const { id } = await schedule({ lobby: false, classification: 'Diffusion restreinte' });
    const startsAt = new Date(Date.now() + 3 * HOUR).toISOString();
    const endsAt = new Date(Date.now() + 4 * HOUR).toISOString();
    const response = await edit(id, 'alice', {
      title: 'Comité de sécurité (reporté)',
      startsAt,
      endsAt,
      timeZone: 'America/Montreal',
      invitees: ['carol', 'dave'],
      groups: ['Security Team'],
      classification: null,
      lobby: true,
      autoAdmit: ['dave'],
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const view = await get(id);
    assert.equal(view.title, 'Comité de sécurité (reporté)');
    assert.equal(view.startsAt, startsAt);
    assert.equal(view.endsAt, endsAt);
    assert.equal(view.timeZone, 'America/Montreal');
    assert.deepEqual(view.invitees, ['carol', 'dave']);
    assert.deepEqual(view.groups, ['Security Team']);
    assert.deepEqual(view.coOrganisers, ['bob']);
    assert.deepEqual(view.autoAdmit, ['dave']);
    assert.equal(view.classification, null);
    assert.equal(view.lobby, true);
    const listed = (await rooms.api('GET', '/meetings', as('dave'))).body as { id: string; title: string }[];
    assert.equal(listed.find((m) => m.id === id)?.title, 'Comité de sécurité (reporté)');

    const [entry] = await audit('room.edit', id);
    assert.equal(entry?.outcome, 'success');
    assert.equal(entry?.actor, 'alice');
    const details = JSON.parse(entry!.details!) as Record<string, unknown>;
    assert.equal(
      details['changed'],
      'title,startsAt,endsAt,timeZone,classification,lobby,invitees,groups,autoAdmit',
    );
    assert.equal(details['inviteesAdded'], 1);
    assert.equal(details['classified'], false);
    assert.ok(!entry!.details!.includes('reporté'), 'the title is not in the audit trail');
  });

  test('a co-organiser edits the title but is refused (403 not_organiser) when changing the co-organisers', async () => {
    const { id } = await schedule();
    assert.equal((await edit(id, 'bob', { title: 'Point sécurité', coOrganisers: ['bob'] })).status, 200);
    assert.equal((await get(id)).title, 'Point sécurité');
    const refused = await edit(id, 'bob', { title: 'Autre', coOrganisers: ['bob', 'dave'] });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'not_organiser');
    assert.equal((await get(id)).title, 'Point sécurité', 'nothing was half-written');
    assert.deepEqual((await get(id)).coOrganisers, ['bob']);
    assert.equal((await edit(id, 'alice', { coOrganisers: ['dave'] })).status, 200);
    assert.deepEqual((await get(id)).coOrganisers, ['dave']);
  });

  test('PATCH and cancel by an invitee are refused with 403 not_organiser, audited, and change nothing', async () => {
    const { id } = await schedule();
    const refused = await edit(id, 'carol', { title: 'Piraté' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'not_organiser');
    const cancelled = await cancel(id, 'carol');
    assert.equal(cancelled.status, 403);
    assert.equal(cancelled.body.code, 'not_organiser');
    const view = await get(id);
    assert.equal(view.title, 'Comité de sécurité');
    assert.equal(view.status, 'scheduled');
    const denials = await audit('room.power.denied', id);
    assert.ok(denials.some((d) => d.actor === 'carol' && d.reason === 'not_organiser'));
    assert.equal((await audit('room.edit', id)).length, 0);
  });

  test('PATCH with times that do not make a meeting, an unknown zone or bad fields is refused with 400 and changes nothing', async () => {
    const { id } = await schedule();
    const before = await get(id);
    const soon = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();
    for (const body of [
      { startsAt: soon(5), endsAt: soon(4) },
      { endsAt: new Date(Date.parse(before.startsAt) - HOUR).toISOString() },
      { startsAt: soon(-3), endsAt: soon(-2) },
      { endsAt: soon(24 * 40) },
      { startsAt: 'tomorrow' },
      { timeZone: 'Mars/Olympus_Mons' },
      { title: '   ' },
      {},
      { organiser: 'carol' },
      { autoAdmit: ['eve'] },
    ]) {
      const response = await edit(id, 'alice', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.code, 'bad_request', JSON.stringify(body));
    }
    assert.deepEqual(await get(id), before);
    assert.equal((await audit('room.edit', id)).filter((e) => e.outcome === 'success').length, 0);
  });

  test('the E2EE suite changes before anyone entered, and is refused with 409 e2ee_suite_locked afterwards', async () => {
    const { id } = await schedule();
    assert.equal((await edit(id, 'alice', { e2eeSuite: 'xwing-pq' })).status, 200);
    assert.equal((await get(id)).e2eeSuite, 'xwing-pq');
    assert.equal((await rooms.api('POST', `/meetings/${id}/join`, as('alice'))).body.state, 'admitted');
    const refused = await edit(id, 'alice', { e2eeSuite: 'aes256' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'e2ee_suite_locked');
    assert.equal((await get(id)).e2eeSuite, 'xwing-pq');
    assert.equal((await edit(id, 'alice', { title: 'En cours', e2eeSuite: 'xwing-pq' })).status, 200);
    assert.equal((await get(id)).title, 'En cours');
  });

  test('cancel lets the lobby go, invitees see the meeting cancelled and cannot join, and it is audited', async () => {
    const { id } = await schedule();
    const waiting = await rooms.api('POST', `/meetings/${id}/join`, as('carol'));
    assert.equal(waiting.body.state, 'waiting');
    const response = await cancel(id, 'bob');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.status, 'cancelled');
    const state = await rooms.api(
      'GET',
      `/meetings/${id}/participants/${waiting.body.participantId}`,
      as('carol'),
    );
    assert.equal(state.body.state, 'left');
    const listed = (await rooms.api('GET', '/meetings', as('carol'))).body as {
      id: string;
      status: string;
    }[];
    assert.equal(listed.find((m) => m.id === id)?.status, 'cancelled');
    for (const user of ['carol', 'alice']) {
      const join = await rooms.api('POST', `/meetings/${id}/join`, as(user));
      assert.equal(join.status, 409);
      assert.equal(join.body.code, 'meeting_cancelled');
    }
    assert.equal((await edit(id, 'alice', { title: 'Rouvert' })).body.code, 'meeting_cancelled');
    const end = await rooms.api('POST', `/meetings/${id}/end`, as('alice'));
    assert.equal(end.status, 409, 'a cancelled meeting is not turned into an ended one');
    assert.equal(end.body.code, 'meeting_cancelled');
    const again = await cancel(id, 'alice');
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'meeting_cancelled');
    const [entry] = await audit('room.cancel', id);
    assert.deepEqual([entry?.outcome, entry?.actor], ['success', 'bob']);
    const verified = await rooms.server.audit.verify();
    assert.equal(verified.ok, true);
  });

  test('cancel is refused with 409 invalid_state under way, and edit and cancel with 409 meeting_ended once ended', async () => {
    const { id } = await schedule();
    await rooms.api('POST', `/meetings/${id}/join`, as('alice'));
    const live = await cancel(id, 'alice');
    assert.equal(live.status, 409);
    assert.equal(live.body.code, 'invalid_state');
    assert.equal((await rooms.api('POST', `/meetings/${id}/end`, as('alice'))).status, 200);
    for (const response of [await edit(id, 'alice', { title: 'Après' }), await cancel(id, 'alice')]) {
      assert.equal(response.status, 409);
      assert.equal(response.body.code, 'meeting_ended');
    }
    assert.equal((await get(id)).status, 'ended');
  });

  test('PATCH and cancel of an unknown meeting answer 404 not_found', async () => {
    for (const response of [
      await edit('AAAAAAAAAAAAAAAAAAAAAA', 'alice', { title: 'x' }),
      await cancel('AAAAAAAAAAAAAAAAAAAAAA', 'alice'),
    ]) {
      assert.equal(response.status, 404);
      assert.equal(response.body.code, 'not_found');
    }
  });
});
