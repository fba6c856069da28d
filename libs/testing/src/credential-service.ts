import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  MEMBER_CREDENTIAL_KEYS_PATH,
  memberCredentialRequestSchema,
  type IceServers,
  type Right,
  type TicketResponse,
} from '@conclave/protocol';
import type { MemberCredentialSigner } from './member-credential-signer';

export interface CredentialServiceFixture {
  /** HTTPS origin, for the page's `rooms` parameter and its CSP `connect-src`. */
  url: string;
  /** An access token good for one participant session's credential requests (room control's own-session rule). */
  tokenFor(session: Session): string;
  /** From now on, refuse ticket requests with this code (as room control does once a person is removed). */
  refuseTickets(code: string): void;
  /** How many fresh join tickets it issued. */
  readonly ticketsIssued: number;
  /** How many credentials it signed. */
  readonly issued: number;
  close(): Promise<void>;
}

const CREDENTIAL_ROUTE = /^\/meetings\/([^/]+)\/participants\/([^/]+)\/(credential|ticket)$/;

interface Session {
  user: string;
  room: string;
  participant: string;
  name?: string;
  rights?: Right[];
}

/**
 * Room control's two member-credential routes (the published keys, and a credential for one's own session),
 * signed by a `MemberCredentialSigner`, and, given `tickets`, its fresh-ticket route for an admitted session, for
 * browser tests and benchmarks that run the SFU without room control. Same paths and bodies as services/rooms;
 * CORS for the page's origin.
 */
export async function startCredentialService(options: {
  signer: MemberCredentialSigner;
  cert: Buffer;
  key: Buffer;
  /** Signs a join ticket for a session (the SFU fixture's ticket signer). */
  tickets?: (session: Session) => Promise<string>;
  /** The ICE servers (TURN relay and credential) given with each ticket, as room control's `turn` block does. */
  iceServers?: (session: Session) => IceServers;
}): Promise<CredentialServiceFixture> {
  const sessions = new Map<string, Session>();
  let issued = 0;
  let ticketsIssued = 0;
  let ticketRefusal: string | undefined;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
  const server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type');
    res.setHeader('access-control-allow-methods', 'GET, POST');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method === 'GET' && req.url === MEMBER_CREDENTIAL_KEYS_PATH)
      return send(res, 200, options.signer.keySet());
    const route = req.method === 'POST' ? CREDENTIAL_ROUTE.exec(req.url ?? '') : null;
    if (route === null) return send(res, 404, { code: 'not_found', message: 'no such route' });
    const session = sessions.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (session === undefined) return send(res, 401, { code: 'not_authenticated', message: 'no session' });
    if (decodeURIComponent(route[1]) !== session.room || decodeURIComponent(route[2]) !== session.participant)
      return send(res, 404, { code: 'not_found', message: 'not your session' });
    if (route[3] === 'ticket') {
      if (options.tickets === undefined)
        return send(res, 404, { code: 'not_found', message: 'no tickets here' });
      if (ticketRefusal !== undefined) return send(res, 403, { code: ticketRefusal, message: 'refused' });
      void options.tickets(session).then((ticket) => {
        ticketsIssued++;
        const answer: TicketResponse = {
          ticket,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
          signallingUrl: null,
          ...(options.iceServers !== undefined ? { iceServers: options.iceServers(session) } : {}),
        };
        send(res, 200, answer);
      });
      return;
    }
    void readBody(req).then(async (body) => {
      const parsed = memberCredentialRequestSchema.safeParse(body);
      if (!parsed.success) return send(res, 400, { code: 'bad_request', message: 'bad body' });
      const credential = await options.signer.sign({
        user: session.user,
        room: session.room,
        participant: session.participant,
        ...(session.name !== undefined ? { name: session.name } : {}),
        signatureKey: Buffer.from(parsed.data.signatureKey, 'base64url'),
      });
      issued++;
      send(res, 200, { credential, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    tokenFor(session) {
      const token = randomBytes(18).toString('base64url');
      sessions.set(token, session);
      return token;
    },
    get issued() {
      return issued;
    },
    refuseTickets(code) {
      ticketRefusal = code;
    },
    get ticketsIssued() {
      return ticketsIssued;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
