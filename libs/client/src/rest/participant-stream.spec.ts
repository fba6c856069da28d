import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParticipantStreamEvent } from '@conclave/protocol';
import { EventStreamParser, readParticipantStream, type ParticipantStreamStatus } from './participant-stream';

/** A streamed reply made of these chunks, then the end of the body. */
function streamed(chunks: string[]): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream' } },
  );
}

const message = (event: unknown) => `event: participant\ndata: ${JSON.stringify(event)}\n\n`;

describe('EventStreamParser', () => {
  it('push() returns each message completed across chunks and drops heartbeat comments', () => {
    const parser = new EventStreamParser();
    assert.deepEqual(parser.push(': heartbeat\n\nevent: participant\ndata: {"a"'), []);
    assert.deepEqual(parser.push(':1}\r\n\r\n'), ['{"a":1}']);
  });
});

describe('readParticipantStream', () => {
  it('reconnects after a drop with a new request, passes on valid events, skips invalid ones, and stops at a final event', async () => {
    const replies = [
      streamed([
        message({ type: 'state', state: 'waiting' }),
        message({ type: 'state', state: 'teleported' }),
      ]),
      streamed([
        message({ type: 'state', state: 'refused', reason: 'refused' }),
        message({ type: 'meeting-ended' }),
      ]),
    ];
    let requests = 0;
    const events: ParticipantStreamEvent[] = [];
    const statuses: ParticipantStreamStatus[] = [];
    const stream = readParticipantStream(async () => replies[requests++]!, {
      onEvent: (event) => events.push(event),
      onStatus: (status) => statuses.push(status),
      retryDelaysMs: [1],
    });
    await stream.done;
    assert.equal(requests, 2);
    assert.deepEqual(events, [
      { type: 'state', state: 'waiting' },
      { type: 'state', state: 'refused', reason: 'refused' },
    ]);
    assert.deepEqual(statuses, ['open', 'reconnecting', 'open', 'closed']);
  });

  it('gives up on a 404 refusal with its code but retries a 429', async () => {
    const replies = [
      new Response(JSON.stringify({ code: 'too_many_streams', message: 'later' }), { status: 429 }),
      new Response(JSON.stringify({ code: 'not_found', message: 'no such participant' }), { status: 404 }),
    ];
    let requests = 0;
    let closedWith: string | undefined;
    const stream = readParticipantStream(async () => replies[requests++]!, {
      onEvent: () => undefined,
      onStatus: (status, error) => {
        if (status === 'closed') closedWith = error?.code;
      },
      retryDelaysMs: [1],
    });
    await stream.done;
    assert.deepEqual([requests, closedWith], [2, 'not_found']);
  });

  it('close() stops a connected stream without reconnecting', async () => {
    let requests = 0;
    const stream = readParticipantStream(
      async (signal) => {
        requests += 1;
        return new Response(
          new ReadableStream({
            start(controller) {
              signal.addEventListener('abort', () => controller.error(new Error('aborted')));
            },
          }),
          { status: 200 },
        );
      },
      { onEvent: () => undefined, retryDelaysMs: [1] },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    stream.close();
    await stream.done;
    assert.equal(requests, 1);
  });
});
