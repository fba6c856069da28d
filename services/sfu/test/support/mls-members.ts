import { E2eeSession, type SignallingClient, type ToWorker } from '@conclave/client';
import type { MemberInfo } from '@conclave/e2ee';
import type { SfuFixture } from './sfu-fixture';

/** Where an E2eeSession sends SFrame keys; here nothing encrypts frames, only the MLS group is under test. */
const noFrames = { postMessage: (_message: ToWorker) => undefined } as unknown as Worker;

/** An epoch a headless member entered, when, with which safety code and members. */
export interface EnteredEpoch {
  epoch: bigint;
  code: string;
  members: MemberInfo[];
  at: number;
}

/** A headless participant: real signalling to the real SFU, real MLS (ts-mls) in this process. */
export interface HeadlessMember {
  user: string;
  participantId: string;
  client: SignallingClient;
  /** When its key package was sent (it asked to join the group). */
  startedAt: number;
  epochs: EnteredEpoch[];
  /** The last epoch entered, if any. */
  latest(): EnteredEpoch | undefined;
  /** Bytes of the MLS commits and Welcomes the SFU delivered to it (decoded, not base64); Add proposals it got. */
  received: { commitBytes: Map<number, number>; welcomeBytes: Map<number, number>; addProposals: number };
  /** Bytes of the commits (and their Welcomes) it made that the SFU sequenced, by the epoch they opened. */
  sent: { commitBytes: Map<number, number>; welcomeBytes: Map<number, number> };
  /** Whether a commit removed it from the group. */
  removed(): boolean;
  close(): Promise<void>;
}

/** Joins `room` as `user` and starts its MLS session (creates the group if first, else sends a key package). */
export async function headlessMember(sfu: SfuFixture, user: string, room: string): Promise<HeadlessMember> {
  const { client, hello } = await sfu.join({ user, room, participant: `${user}-${room}` });
  const session = new E2eeSession(
    client,
    noFrames,
    { participantId: hello.participantId, userId: user },
    hello.e2ee,
    sfu.credentials.identity({ user, room, participant: hello.participantId }),
  );
  const epochs: EnteredEpoch[] = [];
  const received = {
    commitBytes: new Map<number, number>(),
    welcomeBytes: new Map<number, number>(),
    addProposals: 0,
  };
  let removed = false;
  session.on('epoch', (epoch, code, members) => epochs.push({ epoch, code, members, at: Date.now() }));
  session.on('removed', (reason) => (removed ||= reason === 'removed-by-commit'));
  client.on('mlsCommit', (m) => received.commitBytes.set(m.epoch, decodedLength(m.message)));
  client.on('mlsProposal', (m) => (received.addProposals += m.change.type === 'add' ? 1 : 0));
  client.on('mlsWelcome', (m) => received.welcomeBytes.set(m.epoch, decodedLength(m.welcome)));
  const sent = { commitBytes: new Map<number, number>(), welcomeBytes: new Map<number, number>() };
  const request = client.request.bind(client);
  client.request = (async (type: string, payload: { commit?: string; welcome?: string }) => {
    const response = await request(type as never, payload as never);
    if (type === 'mlsCommit') {
      const { epoch } = response as { epoch: number };
      sent.commitBytes.set(epoch, decodedLength(payload.commit!));
      if (payload.welcome !== undefined) sent.welcomeBytes.set(epoch, decodedLength(payload.welcome));
    }
    return response;
  }) as typeof client.request;
  const startedAt = Date.now();
  await session.start();
  return {
    user,
    participantId: hello.participantId,
    client,
    startedAt,
    epochs,
    latest: () => epochs.at(-1),
    received,
    sent,
    removed: () => removed,
    close: async () => {
      await session.close();
      client.close();
    },
  };
}

/** Waits (polling, bounded) until `done` holds; throws with `what` after `timeoutMs`. */
export async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Whether every member is at one epoch with one safety code and a group of exactly `size` members. */
export function keyedTogether(members: readonly HeadlessMember[], size: number): boolean {
  const latest = members.map((m) => m.latest());
  const first = latest[0];
  return (
    first !== undefined &&
    first.members.length === size &&
    latest.every((e) => e !== undefined && e.epoch === first.epoch && e.code === first.code)
  );
}

function decodedLength(base64url: string): number {
  return Buffer.from(base64url, 'base64url').byteLength;
}
