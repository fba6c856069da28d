import { SFrameError, SFrameReceiver, SFrameSender, protectFrame, unprotectFrame } from '@conclave/e2ee';
import type {
  FromWorker,
  ParticipantE2eeState,
  ToWorker,
  TransformOptions,
  WorkerErrorCode,
} from './worker-protocol';

/** The parts of RTCEncodedVideoFrame / RTCEncodedAudioFrame the cryptor touches. */
export interface EncodedFrame {
  data: ArrayBuffer;
  readonly type?: 'key' | 'delta' | 'empty';
}

/** A participant whose frames have not decrypted for this long, while arriving, is shown as `failed`. */
const FAILED_AFTER_MS = 2500;
/** Receive replay window: audio, video and simulcast layers of one sender share its counter (RFC 9605 §4.4). */
const REPLAY_WINDOW = 1024;

interface ReceiveState {
  state: ParticipantE2eeState;
  lastSuccess: number;
  firstFailureSinceSuccess: number | undefined;
}

/**
 * The frame-level half of E2EE, in the transform worker: encrypts every outgoing frame with our current
 * SFrame key and decrypts incoming ones. Fails closed both ways: no key, no frame sent; a frame that does not
 * decrypt is dropped (never passed on, so Opus cannot turn ciphertext into noise).
 */
export class FrameCryptor {
  private readonly sender = new SFrameSender();
  private readonly receiver = new SFrameReceiver({ replayWindow: REPLAY_WINDOW });
  private sendKid: bigint | undefined;
  /** The epoch of the installed sending key (a KID recurs every 2^E epochs, with another key). */
  private sendEpoch: bigint | undefined;
  /** The KID whose encryption failure was reported (once per key, not once per frame). */
  private encryptFailureReported: bigint | undefined;
  private readonly ownerOfKid = new Map<bigint, string>();
  /** The epoch each installed receive KID's key belongs to. */
  private readonly epochOfKid = new Map<bigint, bigint>();
  private readonly receiving = new Map<string, ReceiveState>();
  private readonly counters = {
    encrypted: 0,
    bytesAdded: 0,
    droppedNoKey: 0,
    decrypted: 0,
    droppedUndecryptable: 0,
  };
  private readonly seen: Record<string, number> = {};

  constructor(
    private readonly post: (message: FromWorker) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async onMessage(message: ToWorker): Promise<void> {
    switch (message.type) {
      case 'epoch': {
        // Receive keys first: our peers may switch before we do.
        for (const { kid, baseKey, participantId } of message.receive) {
          try {
            await this.installReceiveKey(kid, message.epoch, baseKey);
            this.ownerOfKid.set(kid, participantId);
          } catch (error) {
            this.ownerOfKid.delete(kid);
            this.report('receive_key_refused', error, participantId);
            this.setState(participantId, this.receiveState(participantId), 'failed');
          } finally {
            baseKey.fill(0);
          }
        }
        await this.installSendKey(message.epoch, message.send);
        break;
      }
      case 'retire':
        for (const kid of message.kids) {
          this.receiver.removeKey(kid);
          this.epochOfKid.delete(kid);
          this.ownerOfKid.delete(kid);
          this.sender.removeKey(kid);
          if (this.sendKid === kid) this.sendKid = undefined;
        }
        break;
      case 'clear':
        this.sender.dispose();
        this.receiver.dispose();
        this.ownerOfKid.clear();
        this.epochOfKid.clear();
        this.sendKid = undefined;
        this.sendEpoch = undefined;
        break;
      case 'streams':
        break;
    }
  }

  /** Tells the page what failed; the frames concerned were dropped. */
  report(code: WorkerErrorCode, error: unknown, participantId?: string): void {
    const message =
      error instanceof SFrameError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    this.post({ type: 'error', code, message, ...(participantId !== undefined ? { participantId } : {}) });
  }

  /** A member's key of `epoch`; its KID may still hold the key of an epoch 2^E earlier, which it replaces. */
  private async installReceiveKey(kid: bigint, epoch: bigint, baseKey: Uint8Array): Promise<void> {
    if (this.epochOfKid.get(kid) === epoch && this.receiver.hasKey(kid)) return;
    this.receiver.removeKey(kid);
    this.epochOfKid.delete(kid);
    await this.receiver.addKey(kid, baseKey);
    this.epochOfKid.set(kid, epoch);
  }

  /** Our key of `epoch`. If it cannot be installed we send nothing (never under a stale key) and say why. */
  private async installSendKey(
    epoch: bigint,
    send: { kid: bigint; baseKey: Uint8Array } | null,
  ): Promise<void> {
    if (send === null) {
      this.sendKid = undefined;
      return;
    }
    const { kid, baseKey } = send;
    try {
      if (this.sendKid !== kid || this.sendEpoch !== epoch) {
        this.sendKid = undefined;
        await this.sender.addKey(kid, baseKey);
      }
      this.sendKid = kid;
      this.sendEpoch = epoch;
      this.encryptFailureReported = undefined;
    } catch (error) {
      this.sendKid = undefined;
      this.report('send_key_refused', error);
    } finally {
      baseKey.fill(0);
    }
  }

  /** A TransformStream for one sender or receiver. */
  transformStream(options: TransformOptions): TransformStream<EncodedFrame, EncodedFrame> {
    const key = `${options.direction}:${options.kind}`;
    return new TransformStream<EncodedFrame, EncodedFrame>({
      transform: (frame, controller) => {
        this.seen[key] = (this.seen[key] ?? 0) + 1;
        return options.direction === 'send'
          ? this.encrypt(options, frame, controller)
          : this.decrypt(options, frame, controller);
      },
    });
  }

  countersSnapshot(): FromWorker {
    return { type: 'counters', ...this.counters, seen: { ...this.seen } };
  }

  private async encrypt(
    options: TransformOptions,
    frame: EncodedFrame,
    controller: TransformStreamDefaultController<EncodedFrame>,
  ) {
    const kid = this.sendKid;
    if (kid === undefined || frame.data.byteLength === 0) {
      this.counters.droppedNoKey++;
      return;
    }
    try {
      const keyframe =
        options.kind === 'video' && frame.type !== undefined ? frame.type === 'key' : undefined;
      const protectedFrame = await protectFrame(this.sender, kid, options.codec, new Uint8Array(frame.data), {
        ...(keyframe !== undefined ? { isKeyframe: keyframe } : {}),
      });
      this.counters.bytesAdded += protectedFrame.byteLength - frame.data.byteLength;
      frame.data = protectedFrame.buffer;
      this.counters.encrypted++;
      controller.enqueue(frame);
    } catch (error) {
      // A frame we cannot encrypt is not sent.
      this.counters.droppedNoKey++;
      if (this.encryptFailureReported !== kid) {
        this.encryptFailureReported = kid;
        this.report('encrypt_failed', error);
      }
    }
  }

  private async decrypt(
    options: TransformOptions,
    frame: EncodedFrame,
    controller: TransformStreamDefaultController<EncodedFrame>,
  ) {
    const state = this.receiveState(options.participantId);
    try {
      const { kid, frame: plaintext } = await unprotectFrame(
        this.receiver,
        options.codec,
        new Uint8Array(frame.data),
      );
      // A member may only send under its own KIDs: media relabelled by the SFU as someone else's is refused.
      if (this.ownerOfKid.get(kid) !== options.participantId) throw new Error('KID of another participant');
      frame.data = plaintext.buffer;
      this.counters.decrypted++;
      state.lastSuccess = this.now();
      state.firstFailureSinceSuccess = undefined;
      this.setState(options.participantId, state, 'encrypted');
      controller.enqueue(frame);
    } catch {
      this.counters.droppedUndecryptable++;
      const now = this.now();
      state.firstFailureSinceSuccess ??= now;
      // Holding no key at all (not in the group yet) is waiting; holding keys that do not open its frames is failure.
      if (this.ownerOfKid.size > 0 && now - state.firstFailureSinceSuccess > FAILED_AFTER_MS) {
        this.setState(options.participantId, state, 'failed');
      }
    }
  }

  private receiveState(participantId: string): ReceiveState {
    let state = this.receiving.get(participantId);
    if (state === undefined) {
      state = { state: 'waiting-for-key', lastSuccess: 0, firstFailureSinceSuccess: undefined };
      this.receiving.set(participantId, state);
      this.post({ type: 'state', participantId, state: 'waiting-for-key' });
    }
    return state;
  }

  private setState(participantId: string, state: ReceiveState, next: ParticipantE2eeState): void {
    if (state.state === next) return;
    state.state = next;
    this.post({ type: 'state', participantId, state: next });
  }
}
