import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseSfuInternalRequest,
  sfuInternalBodySchemas,
  sfuInternalRoute,
  type SfuInternalCall,
} from './sfu-internal';

const CALLS: SfuInternalCall[] = [
  {
    kind: 'rights',
    meetingId: 'm1',
    participantId: 'p1',
    body: { rights: ['consume'], version: 2, actor: 'alice' },
  },
  {
    kind: 'pause',
    meetingId: 'm1',
    participantId: 'p1',
    body: { source: 'microphone', version: 3, actor: 'alice' },
  },
  {
    kind: 'release',
    meetingId: 'm1',
    participantId: 'p1',
    body: { sources: ['microphone'], version: 4, actor: 'alice' },
  },
  {
    kind: 'remove',
    meetingId: 'm1',
    participantId: 'p1',
    body: { userId: 'carol', bar: true, version: 5, actor: 'alice' },
  },
  { kind: 'end', meetingId: 'm1', body: { version: 6, actor: 'alice' } },
  { kind: 'lower-hand', meetingId: 'm1', participantId: 'p1', body: { actor: 'alice' } },
  { kind: 'lower-hands', meetingId: 'm1', body: { actor: 'alice' } },
];

describe('the SFU internal API contract', () => {
  test('sfuInternalRoute() gives a route that parseSfuInternalRequest() reads back as the same call', () => {
    for (const call of CALLS) {
      const { method, path } = sfuInternalRoute(call);
      const parsed = parseSfuInternalRequest(method, path);
      assert.deepEqual(parsed, {
        kind: call.kind,
        meetingId: call.meetingId,
        ...('participantId' in call ? { participantId: call.participantId } : {}),
      });
      assert.equal(sfuInternalBodySchemas[call.kind].safeParse(call.body).success, true);
    }
  });

  test('parseSfuInternalRequest() refuses a wrong method with 405 and an unknown route with 404', () => {
    assert.deepEqual(parseSfuInternalRequest('POST', '/internal/v1/rooms/m1/participants/p1/rights'), {
      refused: 405,
    });
    assert.deepEqual(parseSfuInternalRequest('GET', '/internal/v1/rooms/m1/end'), { refused: 405 });
    assert.deepEqual(parseSfuInternalRequest('POST', '/internal/v1/rooms'), { refused: 405 });
    assert.deepEqual(parseSfuInternalRequest('POST', '/internal/v1/rooms/m1/participants/p1/unmute'), {
      refused: 404,
    });
    assert.deepEqual(parseSfuInternalRequest('POST', '/internal/v1/rooms/m 1/end'), { refused: 404 });
    assert.deepEqual(parseSfuInternalRequest('GET', '/internal/v1/rooms'), { kind: 'list' });
  });

  test('a power body without its version, with an unknown field or an empty release is refused by its schema', () => {
    assert.equal(
      sfuInternalBodySchemas.pause.safeParse({ source: 'microphone', actor: 'alice' }).success,
      false,
    );
    assert.equal(
      sfuInternalBodySchemas.end.safeParse({ version: 1, actor: 'alice', extra: true }).success,
      false,
    );
    assert.equal(
      sfuInternalBodySchemas.release.safeParse({ sources: [], version: 1, actor: 'alice' }).success,
      false,
    );
    assert.equal(
      sfuInternalBodySchemas.remove.safeParse({ userId: 'a/b', bar: true, version: 1, actor: 'alice' })
        .success,
      false,
    );
  });
});
