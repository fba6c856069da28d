import type { types } from 'mediasoup';
import {
  PROTOCOL_VERSION,
  type ClientRequest,
  type ClientRequestOf,
  type ClientRequestType,
  type ResponseDataMap,
  SIGNALLING_CLOSE_CODES,
} from '@conclave/protocol';
import { BadRequestError, ConflictError, type AuditSink } from '@conclave/server-kit';
import { Participant } from '../rooms/participant';
import type { Room } from '../rooms/room';
import type { PowersLedger } from '../rooms/powers-ledger';
import type { RoomRegistry } from '../rooms/room-registry';
import type { E2eeRelay } from '../e2ee/e2ee-relay';
import type { ChatLimiter } from './chat-limiter';
import { type RequestDispatcher, type SignallingSession } from './session';
import type { TicketVerifier } from './ticket-verifier';

export interface HandlerDeps {
  tickets: TicketVerifier;
  rooms: RoomRegistry;
  /** Refuses tickets older than the last organiser change they would undo. */
  ledger: PowersLedger;
  e2ee: E2eeRelay;
  audit: AuditSink;
  chat: ChatLimiter;
}

type Bound = { session: SignallingSession; participant: Participant; room: Room };
type Handler<T extends ClientRequestType> = (
  request: ClientRequestOf<T>,
  bound: Bound,
) => Promise<ResponseDataMap[T]> | ResponseDataMap[T];
type Handlers = { [T in Exclude<ClientRequestType, 'hello'>]: Handler<T> };

/** The SFU's request handlers, one per message type; `hello` binds the session to a verified participant. */
export function createDispatcher(deps: HandlerDeps): RequestDispatcher {
  const handlers: Handlers = {
    join: ({ rtpCapabilities }, { participant, room }) =>
      room.join(participant, rtpCapabilities as unknown as types.RtpCapabilities),
    createTransport: ({ direction, transport }, { participant, room }) =>
      room.createTransport(participant, direction, transport),
    connectTransport: async ({ transportId, dtlsParameters }, { participant, room }) => {
      await room.connectTransport(participant, transportId, dtlsParameters);
      return {};
    },
    connectPlainTransport: async ({ transportId, ip, port }, { participant, room }) => {
      await room.connectPlainTransport(participant, transportId, ip, port);
      return {};
    },
    restartIce: ({ transportId }, { participant, room }) => room.restartIce(participant, transportId),
    produce: async ({ transportId, source, kind, rtpParameters }, { participant, room }) => ({
      producerId: await room.produce(participant, transportId, source, kind, rtpParameters),
    }),
    closeProducer: ({ producerId }, { participant, room }) => {
      room.closeProducer(participant, producerId);
      return {};
    },
    pauseProducer: async ({ producerId }, { participant, room }) => {
      await room.setProducerPaused(participant, producerId, true);
      return {};
    },
    resumeProducer: async ({ producerId }, { participant, room }) => {
      await room.setProducerPaused(participant, producerId, false);
      return {};
    },
    consume: ({ transportId, producerId }, { participant, room }) =>
      room.consume(participant, transportId, producerId),
    resumeConsumer: async ({ consumerId }, { participant, room }) => {
      await room.setConsumerPaused(participant, consumerId, false);
      return {};
    },
    pauseConsumer: async ({ consumerId }, { participant, room }) => {
      await room.setConsumerPaused(participant, consumerId, true);
      return {};
    },
    requestKeyFrame: async ({ consumerId }, { participant, room }) => ({
      requested: await room.requestKeyFrame(participant, consumerId),
    }),
    setConsumerTile: async ({ consumerId, height }, { participant, room }) => ({
      spatialLayer: await room.setConsumerTile(participant, consumerId, height),
    }),
    setConsumerLayers: async ({ consumerId, spatialLayer, temporalLayer }, { participant, room }) => {
      await room.setConsumerLayers(participant, consumerId, spatialLayer, temporalLayer);
      return {};
    },
    mlsKeyPackage: ({ keyPackage }, { participant, room }) =>
      deps.e2ee.keyPackage(room, participant, keyPackage),
    mlsGroupCreated: ({ keyPackage }, { participant, room }) =>
      deps.e2ee.groupCreated(room, participant, keyPackage),
    mlsCommit: ({ epoch, commit, welcome, covers, authentication }, { participant, room }) =>
      deps.e2ee.commit(room, participant, { epoch, commit, welcome, covers, authentication }),
    mlsApplication: ({ message }, { participant, room }) => {
      deps.chat.admit(participant, message);
      return deps.e2ee.application(room, participant, message);
    },
    mlsRejoin: ({ epoch, reason, keyPackage }, { participant, room }) =>
      deps.e2ee.rejoin(room, participant, { epoch, reason, keyPackage }),
    leave: (_request, { participant, room }) => {
      room.leave(participant, 'left');
      return {};
    },
    setHand: ({ raised }, { participant, room }) => {
      room.setHand(participant, raised);
      return {};
    },
  };

  return async (session, request) => {
    if (request.type === 'hello') return hello(deps, session, request);
    const bound = { session, participant: session.participant!, room: session.room! };
    if (bound.room.participants.get(bound.participant.id) !== bound.participant) {
      throw new ConflictError('invalid_state', 'no longer in the meeting');
    }
    const handler = handlers[request.type] as Handler<typeof request.type>;
    return handler(request as never, bound);
  };
}

async function hello(
  deps: HandlerDeps,
  session: SignallingSession,
  request: ClientRequestOf<'hello'>,
): Promise<ResponseDataMap['hello']> {
  if (session.authenticated) throw new ConflictError('already_joined', 'hello was already accepted');
  if (request.protocolVersion !== PROTOCOL_VERSION) {
    throw new BadRequestError(
      'unsupported_protocol_version',
      `this server speaks protocol ${PROTOCOL_VERSION}`,
    );
  }
  let claims;
  try {
    claims = await deps.tickets.verify(request.ticket);
  } catch (error) {
    await deps.audit.record({
      action: 'sfu.join',
      outcome: 'failure',
      actor: 'unknown',
      reason: (error as { code?: string }).code ?? 'invalid_ticket',
      sourceIp: session.remoteAddress,
    });
    throw error;
  }
  const room = await deps.rooms.open(claims.room);
  const participant = new Participant(
    claims.pid,
    claims.sub,
    claims.name,
    claims.rights,
    (message) => session.notify(message),
    (reason) =>
      session.close(
        reason === 'replaced' ? SIGNALLING_CLOSE_CODES.replaced : SIGNALLING_CLOSE_CODES.removed,
        reason,
      ),
    claims.paused,
  );
  try {
    // No `await` from here to `admit`: an organiser change recorded before it refuses this ticket, one after it
    // finds the participant live and applies to it.
    deps.ledger.admit(claims);
    deps.e2ee.bindSuite(room, claims.mls_suite);
    room.admit(participant);
  } catch (error) {
    await deps.audit.record({
      action: 'sfu.join',
      outcome: 'failure',
      actor: claims.sub,
      target: claims.room,
      reason: (error as { code?: string }).code ?? 'refused',
      sourceIp: session.remoteAddress,
    });
    throw error;
  }
  session.bind(participant, room);
  await deps.audit.record({
    action: 'sfu.join',
    outcome: 'success',
    actor: claims.sub,
    target: claims.room,
    details: { participant: claims.pid },
    sourceIp: session.remoteAddress,
  });
  return {
    participantId: participant.id,
    userId: participant.userId,
    roomId: room.id,
    rights: participant.rights,
    routerRtpCapabilities: room.routerRtpCapabilities as unknown as Record<string, unknown>,
    e2ee: deps.e2ee.info(room),
  };
}

export type { ClientRequest };
