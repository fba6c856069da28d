import type { TransformOptions, ToWorker } from './worker-protocol';

/** Raised when a sender or receiver cannot be given an encryption transform: the media is then refused. */
export class E2eeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'E2eeUnavailableError';
  }
}

type ScriptTransformConstructor = new (worker: Worker, options: TransformOptions) => unknown;
type WithTransform = { transform: unknown };
type WithEncodedStreams = {
  createEncodedStreams?: () => { readable: ReadableStream; writable: WritableStream };
};

/** Which API this browser offers for encoded transforms; `none` means no E2EE media at all (fail closed). */
export function encodedTransformSupport(): 'script-transform' | 'encoded-streams' | 'none' {
  const g = globalThis as { RTCRtpScriptTransform?: unknown; RTCRtpSender?: { prototype: object } };
  if (typeof g.RTCRtpScriptTransform === 'function') return 'script-transform';
  if (g.RTCRtpSender !== undefined && 'createEncodedStreams' in g.RTCRtpSender.prototype)
    return 'encoded-streams';
  return 'none';
}

/**
 * Puts the transform worker between an RTCRtpSender/Receiver and the network. Must be called before the
 * offer/answer that starts media (mediasoup-client's onRtpSender/onRtpReceiver hooks): a transform attached
 * after media started is ignored by Chromium, and plaintext would flow.
 */
export function attachTransform(
  endpoint: RTCRtpSender | RTCRtpReceiver,
  worker: Worker,
  options: TransformOptions,
): void {
  const support = encodedTransformSupport();
  if (support === 'script-transform') {
    const Transform = (globalThis as unknown as { RTCRtpScriptTransform: ScriptTransformConstructor })
      .RTCRtpScriptTransform;
    const transform = new Transform(worker, options);
    (endpoint as unknown as WithTransform).transform = transform;
    if ((endpoint as unknown as WithTransform).transform !== transform) {
      throw new E2eeUnavailableError('the browser did not accept the encryption transform');
    }
    return;
  }
  if (support === 'encoded-streams') {
    const streams = (endpoint as unknown as WithEncodedStreams).createEncodedStreams?.();
    if (streams === undefined) throw new E2eeUnavailableError('encoded streams are not available');
    const message: ToWorker = {
      type: 'streams',
      options,
      readable: streams.readable,
      writable: streams.writable,
    };
    worker.postMessage(message, [
      streams.readable as unknown as Transferable,
      streams.writable as unknown as Transferable,
    ]);
    return;
  }
  throw new E2eeUnavailableError(
    'this browser cannot encrypt media end to end; Conclave will not send or receive media',
  );
}
