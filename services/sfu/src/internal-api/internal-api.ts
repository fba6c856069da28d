import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { mediaSourceSchema, rightsSchema, type ErrorCode } from '@conclave/protocol';
import { ConclaveError, NotFoundError, type AuditSink, type Logger } from '@conclave/server-kit';
import type { RoomRegistry } from '../rooms/room-registry';

const MAX_BODY_BYTES = 16 * 1024;
const ROUTE =
  /^\/internal\/v1\/rooms(?:\/([A-Za-z0-9._:@-]{1,128})(?:\/(end)|\/participants\/([A-Za-z0-9._:@-]{1,128})\/(rights|pause|remove))?)?$/;

const bodies = {
  rights: z.strictObject({ rights: rightsSchema, actor: z.string().min(1).max(128) }),
  pause: z.strictObject({ source: mediaSourceSchema, actor: z.string().min(1).max(128) }),
  remove: z.strictObject({ bar: z.boolean().default(true), actor: z.string().min(1).max(128) }),
  end: z.strictObject({ actor: z.string().min(1).max(128) }),
};

/**
 * The SFU's internal API, on the internal listener only, for the room-control service: change a live
 * participant's rights, stop forwarding a source (mute), remove, end a meeting. Each call takes effect on the
 * media before it answers. Callers authenticate with a bearer token read from a file.
 */
export class InternalApi {
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    token: string | undefined,
    private readonly rooms: RoomRegistry,
    private readonly audit: AuditSink,
    private readonly log: Logger,
  ) {
    this.tokenDigest = token !== undefined ? digest(token) : undefined;
  }

  /** Handles the request if it is for the internal API; returns false to let other routes answer. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = (req.url ?? '').split('?')[0]!;
    if (!url.startsWith('/internal/')) return false;
    void this.serve(req, res, url).catch((error: unknown) => {
      if (error instanceof ConclaveError)
        return reply(res, error.httpStatus, { code: error.code, message: error.message });
      this.log.error('internal API failure', { error });
      reply(res, 500, { code: 'internal_error', message: 'the request could not be completed' });
    });
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    if (this.tokenDigest === undefined)
      return reply(res, 404, error('not_found', 'the internal API is disabled'));
    if (!this.authorised(req)) return reply(res, 401, error('not_authenticated', 'bearer token required'));
    const match = ROUTE.exec(url);
    if (match === null) return reply(res, 404, error('not_found', 'no such route'));
    const [, roomId, end, participantId, action] = match;

    if (roomId === undefined) {
      if (req.method !== 'GET') return reply(res, 405, error('bad_request', 'method not allowed'));
      return reply(res, 200, { rooms: this.rooms.all().map(describeRoom) });
    }
    if (req.method !== 'POST' && !(req.method === 'PUT' && action === 'rights')) {
      return reply(res, 405, error('bad_request', 'method not allowed'));
    }
    const room = this.rooms.get(roomId);
    if (room === undefined) throw new NotFoundError('not_found', 'no such room');
    const kind = (end ?? action) as keyof typeof bodies | undefined;
    if (kind === undefined) return reply(res, 404, error('not_found', 'no such route'));
    const raw = await readJson(req);
    if (raw === undefined)
      return reply(res, 400, error('malformed_message', 'a JSON body of at most 16 KiB is required'));
    const parsed = bodies[kind].safeParse(raw);
    if (!parsed.success)
      return reply(res, 400, error('bad_request', parsed.error.issues[0]?.message ?? 'invalid body'));
    const body = parsed.data as { actor: string } & Record<string, unknown>;

    switch (kind) {
      case 'end':
        room.end();
        break;
      case 'rights':
        room.setRights(participantId!, (body as z.infer<typeof bodies.rights>).rights);
        break;
      case 'pause':
        await room.pauseSource(participantId!, (body as z.infer<typeof bodies.pause>).source);
        break;
      case 'remove':
        room.remove(participantId!, (body as z.infer<typeof bodies.remove>).bar);
        break;
    }
    await this.audit.record({
      action: `sfu.${kind}`,
      outcome: 'success',
      actor: body.actor,
      target: participantId ?? roomId,
      details: {
        room: roomId,
        ...(kind === 'rights' ? { rights: (body.rights as string[]).join(',') } : {}),
      },
    });
    reply(res, 200, { ok: true });
  }

  private authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (header === undefined || !header.startsWith('Bearer ')) return false;
    return timingSafeEqual(digest(header.slice('Bearer '.length)), this.tokenDigest!);
  }
}

function describeRoom(room: import('../rooms/room').Room) {
  return {
    roomId: room.id,
    worker: room.workerIndex,
    participants: [...room.participants.values()].map((p) => ({
      participantId: p.id,
      userId: p.userId,
      rights: p.rights,
      producers: [...p.producers.values()].map(({ producer, source }) => ({
        source,
        paused: producer.paused,
      })),
      consumers: p.consumers.size,
    })),
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function error(code: ErrorCode, message: string) {
  return { code, message };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
