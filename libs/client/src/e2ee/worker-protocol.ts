import type { Codec } from '@conclave/e2ee';

/** Per remote participant, what the receiver can do with its media. */
export type ParticipantE2eeState = 'encrypted' | 'waiting-for-key' | 'failed';

/** Options given to each RTCRtpScriptTransform (or the legacy encoded-streams pipe) at creation. */
export interface TransformOptions {
  direction: 'send' | 'recv';
  kind: 'audio' | 'video';
  codec: Codec;
  /** For `recv`: whose media this is; for `send`: our own participant id. */
  participantId: string;
}

/** Main thread → transform worker. Keys are raw SFrame base keys (RFC 9605 §5.2) from the MLS exporter. */
export type ToWorker =
  | {
      type: 'epoch';
      epoch: bigint;
      /** Our own KID and base key for this epoch; null while we are not a group member. */
      send: { kid: bigint; baseKey: Uint8Array } | null;
      /** Every other member's KID and base key for this epoch. */
      receive: { kid: bigint; baseKey: Uint8Array; participantId: string }[];
    }
  /** Erase these KIDs (the previous epoch, after its grace period). */
  | { type: 'retire'; kids: bigint[] }
  /** Erase everything (left, removed). */
  | { type: 'clear' }
  /** Legacy path (createEncodedStreams): the streams of one sender/receiver, transferred. */
  | { type: 'streams'; options: TransformOptions; readable: ReadableStream; writable: WritableStream };

/**
 * What the transform worker could not do. The media concerned is dropped (fail closed) and the page is told:
 *   - `send_key_refused`: our key of a new epoch could not be installed; we send nothing until the next epoch;
 *   - `receive_key_refused`: a member's key could not be installed; its media does not decrypt (`failed`);
 *   - `encrypt_failed`: a frame could not be encrypted under the current key (reported once per key);
 *   - `message_failed`: a message from the main thread could not be applied;
 *   - `transform_failed`: a sender's or receiver's frame pipe broke.
 */
export type WorkerErrorCode =
  'send_key_refused' | 'receive_key_refused' | 'encrypt_failed' | 'message_failed' | 'transform_failed';

/** Transform worker → main thread. */
export type FromWorker =
  | { type: 'state'; participantId: string; state: ParticipantE2eeState }
  /** `message` names KIDs and counters at most (public, RFC 9605 §7.1), never key material. */
  | { type: 'error'; code: WorkerErrorCode; message: string; participantId?: string }
  | {
      type: 'counters';
      encrypted: number;
      /** SFrame bytes (header + tag) added to the encrypted frames, in all. */
      bytesAdded: number;
      droppedNoKey: number;
      decrypted: number;
      droppedUndecryptable: number;
      /** Frames that entered a transform, by direction and kind (`send:video`, `recv:audio`…). */
      seen: Record<string, number>;
    };
