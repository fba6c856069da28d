import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { types } from 'mediasoup';
import { issueTurnCredential, turnIceServers } from '@conclave/turn';
import { startConclaveCoturn, type ConclaveCoturn } from '../../../libs/turn/test/coturn';
import { inboundVideo, pageState, startMeeting, until, type MeetingFixture } from './support/meeting-fixture';

const ROOM = 'room-relay';
/** Relayed transport addresses come from here: above Linux's ephemeral range, so no host socket uses them. */
const RELAY_PORTS = { min: 61_000, max: 61_999 };
const SFU_ADDRESS = '127.0.0.1';

/** The candidate types of each selected ICE pair the page's receivers report (`local-candidate`). */
async function selectedLocalCandidates(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const c = (
      window as unknown as {
        conclave: {
          conference?: {
            remoteTracks(): { consumerId: string }[];
            consumerStats(id: string): Promise<RTCStatsReport> | undefined;
          };
        };
      }
    ).conclave;
    const types: string[] = [];
    for (const track of c.conference?.remoteTracks() ?? []) {
      const report = await c.conference!.consumerStats(track.consumerId);
      const byId = new Map<string, Record<string, unknown>>();
      report?.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
      for (const s of byId.values()) {
        if (s.type !== 'candidate-pair' || s.state !== 'succeeded' || s.nominated !== true) continue;
        const local = byId.get(s.localCandidateId as string);
        types.push(String(local?.candidateType));
      }
    }
    return types;
  });
}

/**
 * Forced relay through real parts: a real coturn run with the file Conclave generates (loopback peers allowed for
 * the SFU's 127.0.0.1 only), the real SFU, and two Chromium pages given the relay with their tickets and
 * `iceTransportPolicy: 'relay'`, so every media packet goes through coturn.
 */
describe('two browsers forced through the TURN relay hold an end-to-end encrypted call', () => {
  let turn: ConclaveCoturn;
  let meeting: MeetingFixture;
  let alice: Page;
  let bob: Page;

  before(async () => {
    turn = await startConclaveCoturn({
      serverName: SFU_ADDRESS,
      allowLoopbackPeers: true,
      allowedPeers: [SFU_ADDRESS],
      relayPorts: RELAY_PORTS,
    });
    meeting = await startMeeting(
      {},
      {},
      {
        iceServers: ({ user }) =>
          turnIceServers(
            turn.config,
            issueTurnCredential({
              secret: turn.secrets[0]!,
              userId: user,
              now: Date.now(),
              expiresAt: Date.now() + 3_600_000,
            }),
          ),
      },
    );
    alice = await meeting.open('alice', ROOM, { relay: true });
    bob = await meeting.open('bob', ROOM, { relay: true });
  });
  after(async () => {
    await meeting?.close();
    await turn?.stop();
  });

  test("each page decodes the other's encrypted video with only relay candidates", async () => {
    for (const [page, other] of [
      [alice, 'bob-web'],
      [bob, 'alice-web'],
    ] as const) {
      assert.equal(await pageState<string | undefined>(page, 'c.error'), undefined);
      await until(
        () => inboundVideo(page),
        (v) => v.some((s) => s.participantId === other && s.framesDecoded > 10),
        30_000,
        `video from ${other} through the relay`,
      );
      assert.equal(await pageState<string>(page, `c.states['${other}']`), 'encrypted');
      const candidates = await selectedLocalCandidates(page);
      assert.ok(candidates.length > 0, 'a selected candidate pair');
      assert.deepEqual([...new Set(candidates)], ['relay']);
    }
  });

  test("the SFU's WebRTC transports see coturn's relayed address (127.0.0.1, a port of the relay range) as the remote end", async () => {
    const room = meeting.sfu.server.rooms.get(ROOM);
    assert.ok(room, 'the room exists on the SFU');
    const tuples: types.TransportTuple[] = [];
    for (const participant of room.participants.values()) {
      for (const transport of participant.transports.values()) {
        const tuple = (transport as types.WebRtcTransport).iceSelectedTuple;
        assert.ok(tuple, `transport ${transport.id} has a selected tuple`);
        tuples.push(tuple);
      }
    }
    assert.equal(tuples.length, 4, 'a send and a receive transport per page');
    for (const tuple of tuples) {
      assert.equal(tuple.remoteIp, SFU_ADDRESS);
      assert.equal(tuple.protocol, 'udp');
      const port = tuple.remotePort ?? 0;
      assert.ok(
        port >= RELAY_PORTS.min && port <= RELAY_PORTS.max,
        `remote port ${tuple.remotePort} is a relayed address of coturn`,
      );
    }
  });
});
