import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  parseSfuInternalRequest,
  sfuInternalBodySchemas,
  type ErrorCode,
  type SfuInternalBody,
  type SfuInternalKind,
  type SfuPowerReply,
  type SfuRoomsReply,
} from '@conclave/protocol';
import {
  BadRequestError,
  ConclaveError,
  requireCallerService,
  type AuditSink,
  type CallerPolicy,
  type Logger,
} from '@conclave/server-kit';
import type { PowersLedger } from '../rooms/powers-ledger';
import type { Room } from '../rooms/room';
import type { RoomRegistry } from '../rooms/room-registry';

const MAX_BODY_BYTES = 16 * 1024;

/**
 * The SFU's internal API (`libs/protocol/src/sfu-internal.ts`), on the internal listener only, for the
 * room-control service: change a participant's rights, mute or release a source, remove, end a meeting. Each
 * change is first written to the powers ledger, whether or not its target is connected, so tickets issued
 * before it are refused; then it takes effect on the live media before the call answers. Callers authenticate
 * with a bearer token read from a file and, over mutual TLS (`callers`), with a service certificate: only
 * room control's is accepted.
 */
export class InternalApi {
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    token: string | undefined,
    private readonly rooms: RoomRegistry,
    private readonly ledger: PowersLedger,
    private readonly audit: AuditSink,
    private readonly log: Logger,
    private readonly callers?: CallerPolicy,
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
    // Throws not_authenticated (401) or forbidden (403): another service's certificate is not room control's.
    if (this.callers !== undefined) requireCallerService(req.socket as TLSSocket, this.callers);
    if (!this.authorised(req)) return reply(res, 401, error('not_authenticated', 'bearer token required'));
    const route = parseSfuInternalRequest(req.method ?? '', url);
    if ('refused' in route)
      return route.refused === 404
        ? reply(res, 404, error('not_found', 'no such route'))
        : reply(res, 405, error('bad_request', 'method not allowed'));
    if (route.kind === 'list') {
      const rooms: SfuRoomsReply = { rooms: this.rooms.all().map(describeRoom) };
      return reply(res, 200, rooms);
    }
    const raw = await readJson(req);
    if (raw === undefined)
      return reply(res, 400, error('malformed_message', 'a JSON body of at most 16 KiB is required'));
    const parsed = sfuInternalBodySchemas[route.kind].safeParse(raw);
    if (!parsed.success)
      return reply(res, 400, error('bad_request', parsed.error.issues[0]?.message ?? 'invalid body'));
    const body = parsed.data;
    const participantId = 'participantId' in route ? route.participantId : undefined;
    const live = await this.apply(route.kind, route.meetingId, participantId, body);
    await this.audit.record({
      action: `sfu.${route.kind}`,
      outcome: 'success',
      actor: body.actor,
      target: participantId ?? route.meetingId,
      details: {
        room: route.meetingId,
        ...('version' in body ? { version: (body as { version: number }).version } : {}),
        live,
        ...auditDetails(body),
      },
    });
    const answer: SfuPowerReply = { ok: true, live };
    reply(res, 200, answer);
  }

  /**
   * Records the change in the ledger and applies it to the live room, in one synchronous step up to the first
   * media `await`, so an admission cannot fall between the two. Returns whether its target was live.
   */
  private async apply(
    kind: SfuInternalKind,
    meetingId: string,
    participantId: string | undefined,
    body: SfuInternalBody<SfuInternalKind>,
  ): Promise<boolean> {
    const room = this.rooms.get(meetingId);
    if (kind === 'lower-hands') {
      room?.lowerHands();
      return room !== undefined;
    }
    if (kind === 'lower-hand') {
      // Hands carry no right: nothing for the ledger, only the live session's state.
      const live = room?.participants.get(participantId!) !== undefined;
      if (live) room!.lowerHand(participantId!);
      return live;
    }
    if (!('version' in body)) throw new BadRequestError('bad_request', 'a powers version is required');
    if (kind === 'end') {
      this.ledger.ended(meetingId, body.version);
      room?.end();
      return room !== undefined;
    }
    const pid = participantId!;
    const participant = room?.participants.get(pid);
    if (kind === 'remove') {
      const { userId, bar } = body as SfuInternalBody<'remove'>;
      if (participant !== undefined && participant.userId !== userId)
        throw new BadRequestError('bad_request', 'the participant session belongs to another user');
      if (bar) this.ledger.barred(meetingId, userId, body.version);
      this.ledger.changed(meetingId, pid, body.version);
      if (participant !== undefined) room!.remove(pid);
      if (bar && room !== undefined)
        for (const other of [...room.participants.values()])
          if (other.userId === userId) room.remove(other.id);
      return participant !== undefined;
    }
    this.ledger.changed(meetingId, pid, body.version);
    if (participant === undefined) return false;
    switch (kind) {
      case 'rights':
        room!.setRights(pid, (body as SfuInternalBody<'rights'>).rights);
        break;
      case 'pause':
        await room!.pauseSource(pid, (body as SfuInternalBody<'pause'>).source);
        break;
      case 'release':
        room!.releaseSources(pid, (body as SfuInternalBody<'release'>).sources);
        break;
    }
    return true;
  }

  private authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (header === undefined || !header.startsWith('Bearer ')) return false;
    return timingSafeEqual(digest(header.slice('Bearer '.length)), this.tokenDigest!);
  }
}

function describeRoom(room: Room): SfuRoomsReply['rooms'][number] {
  return {
    roomId: room.id,
    worker: room.workerIndex,
    participants: [...room.participants.values()].map((p) => ({
      participantId: p.id,
      userId: p.userId,
      rights: p.rights,
      organiserPaused: [...p.organiserPaused].sort(),
      producers: [...p.producers.values()].map(({ producer, source }) => ({
        source,
        paused: producer.paused,
      })),
      consumers: p.consumers.size,
    })),
  };
}

/** What each power changed, for the audit entry. */
function auditDetails(body: SfuInternalBody<SfuInternalKind>): Record<string, string | boolean> {
  if ('rights' in body) return { rights: body.rights.join(',') };
  if ('source' in body) return { source: body.source };
  if ('sources' in body) return { sources: body.sources.join(',') };
  if ('userId' in body) return { user: body.userId, bar: body.bar };
  return {};
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
