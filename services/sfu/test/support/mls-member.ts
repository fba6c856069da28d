import WebSocket from 'ws';
import { E2eeSession, SignallingClient, type ToWorker, type WebSocketLike } from '@conclave/client';
import type { SfuFixture } from './sfu-fixture';

/** Where an E2eeSession sends SFrame keys; here nothing encrypts frames, only the MLS group is used. */
const noFrames = { postMessage: (_message: ToWorker) => undefined } as unknown as Worker;

/** A participant in a room's MLS group through the real SFU (real MLS, in Node); `socket` is its connection. */
export async function mlsMember(sfu: SfuFixture, user: string, room: string) {
  const socket = new WebSocket(sfu.server.signallingUrl, { ca: sfu.caPem });
  const client = await SignallingClient.connect(socket as unknown as WebSocketLike);
  const hello = await client.hello(await sfu.signer.sign({ user, room, participant: `${user}-${room}` }));
  const session = new E2eeSession(
    client,
    noFrames,
    { participantId: hello.participantId, userId: user },
    hello.e2ee,
    sfu.credentials.identity({ user, room, participant: hello.participantId }),
  );
  let epoch = -1n;
  session.on('epoch', (reached) => {
    if (reached > epoch) epoch = reached;
  });
  await session.start();
  return {
    client,
    socket,
    hello,
    /** Sends `text` as chat: a real MLS application message of the current epoch. */
    chat: (text: string) => session.sendChat(text),
    /** Resolves once this member's group is at `wanted` or later. */
    async reached(wanted: bigint, timeoutMs = 15_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (epoch < wanted) {
        if (Date.now() > deadline) throw new Error(`${user} never reached epoch ${wanted}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close(): Promise<void> {
      await session.close();
      client.close();
    },
  };
}
