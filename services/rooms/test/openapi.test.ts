import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateOpenApiDocument, openApiText } from '../src';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

const COMMITTED = join(__dirname, '../../../docs/api/rooms.openapi.json');

describe('OpenAPI description', () => {
  let rooms: RoomsFixture;
  before(async () => {
    rooms = await startRooms({ sfu: new RecordingSfu() });
  });
  after(() => rooms.close());

  test('the committed docs/api/rooms.openapi.json is exactly what @nestjs/swagger generates from the code', async () => {
    const generated = openApiText(await generateOpenApiDocument());
    assert.equal(
      readFileSync(COMMITTED, 'utf8'),
      generated,
      'regenerate with: scripts/node services/rooms/src/openapi/write-openapi.ts',
    );
  });

  test('the running service serves the same document at /api/rooms/openapi.json', async () => {
    const served = (await rooms.api('GET', '/openapi.json')).body;
    assert.deepEqual(served, JSON.parse(readFileSync(COMMITTED, 'utf8')));
  });

  test('every route documents its refusals with the error body and a bearer requirement', () => {
    const document = JSON.parse(readFileSync(COMMITTED, 'utf8')) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    assert.ok(operations.length >= 24, `${operations.length} operations`);
    for (const { path, method, op } of operations.filter((o) => o.path.startsWith('/api/rooms/meetings'))) {
      assert.ok('401' in op.responses, `${method} ${path} documents 401`);
      assert.ok(op.security !== undefined, `${method} ${path} requires a bearer token`);
    }
  });
});
