import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParticipantView, ProducerInfo } from '@conclave/protocol';
import { e2eeLabel, panelEntries } from './panel-entries';

const producer = (participantId: string, source: ProducerInfo['source'], paused = false): ProducerInfo => ({
  producerId: `${participantId}-${source}`,
  participantId,
  source,
  kind: source === 'microphone' || source === 'screen-audio' ? 'audio' : 'video',
  paused,
});
const view = (participantId: string, role: ParticipantView['role'], rights: ParticipantView['rights']) => ({
  participantId,
  userId: `u-${participantId}`,
  name: `Name ${participantId}`,
  state: 'admitted' as const,
  role,
  rights,
});

describe('e2eeLabel', () => {
  it('says cannot decrypt on a failure even with keys, waiting without keys or while a key is awaited', () => {
    assert.equal(e2eeLabel('failed', true), 'failed');
    assert.equal(e2eeLabel('encrypted', false), 'waiting');
    assert.equal(e2eeLabel('waiting-for-key', true), 'waiting');
  });

  it('says encrypted for a member of the keyed epoch, with or without media', () => {
    assert.equal(e2eeLabel('encrypted', true), 'encrypted');
    assert.equal(e2eeLabel(undefined, true), 'encrypted');
  });
});

describe('panelEntries', () => {
  const people = [
    { userId: 'u-b', displayName: 'Roster b', devices: 1, participantIds: ['b'] },
    { userId: 'u-a', displayName: 'Roster a', devices: 2, participantIds: ['a', 'a2'] },
  ];

  it('lists this client first, then every session of the roster once', () => {
    const entries = panelEntries({
      self: 'a',
      people,
      states: new Map(),
      haveKeys: true,
      media: [],
      views: [],
    });
    assert.deepEqual(
      entries.map((entry) => [entry.participantId, entry.self, entry.name]),
      [
        ['a', true, 'Roster a'],
        ['b', false, 'Roster b'],
        ['a2', false, 'Roster a'],
      ],
    );
  });

  it('reads microphone on, muted (paused by the SFU) or off, camera and screen from the producers', () => {
    const [b, a2] = panelEntries({
      self: 'a',
      people,
      states: new Map(),
      haveKeys: true,
      media: [
        producer('b', 'microphone', true),
        producer('b', 'camera'),
        producer('b', 'screen'),
        producer('a2', 'microphone'),
      ],
      views: [],
    }).slice(1);
    assert.deepEqual([b!.microphone, b!.camera, b!.sharing], ['muted', true, true]);
    assert.deepEqual([a2!.microphone, a2!.camera, a2!.sharing], ['on', false, false]);
  });

  it('takes name, role and rights from room control when it lists the session', () => {
    const [, b] = panelEntries({
      self: 'a',
      people,
      states: new Map([['b', 'failed']]),
      haveKeys: true,
      media: [],
      views: [view('b', 'co-organiser', ['consume', 'produce:screen'])],
    });
    assert.deepEqual(
      { name: b!.name, role: b!.role, e2ee: b!.e2ee, camera: b!.mayUseCamera, share: b!.mayShare },
      { name: 'Name b', role: 'co-organiser', e2ee: 'failed', camera: false, share: true },
    );
  });
});
