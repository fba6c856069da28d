/**
 * Entry point of the dedicated worker that runs the encoded transforms (bundled on its own). Chromium hands
 * each RTCRtpScriptTransform to it as an `rtctransform` event; the legacy path sends the streams over.
 */
import { FrameCryptor, type EncodedFrame } from './frame-cryptor';
import type { FromWorker, ToWorker, TransformOptions } from './worker-protocol';

interface ScriptTransformer {
  readonly readable: ReadableStream<EncodedFrame>;
  readonly writable: WritableStream<EncodedFrame>;
  readonly options: TransformOptions;
}

interface WorkerScope {
  postMessage(message: FromWorker): void;
  addEventListener(type: 'message', listener: (event: { data: ToWorker }) => void): void;
  addEventListener(type: 'rtctransform', listener: (event: { transformer: ScriptTransformer }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const cryptor = new FrameCryptor((message) => scope.postMessage(message));

/** Runs one sender's or receiver's frames through the cryptor; a broken pipe is reported, not swallowed. */
function pipe(
  readable: ReadableStream<EncodedFrame>,
  writable: WritableStream<EncodedFrame>,
  options: TransformOptions,
) {
  void readable
    .pipeThrough(cryptor.transformStream(options))
    .pipeTo(writable)
    .catch((error: unknown) =>
      cryptor.report(
        'transform_failed',
        error,
        options.direction === 'recv' ? options.participantId : undefined,
      ),
    );
}

// Key messages are applied in order: an epoch's keys are installed before the next message is looked at.
let queue: Promise<void> = Promise.resolve();
scope.addEventListener('message', ({ data }) => {
  if (data.type === 'streams') {
    pipe(
      data.readable as ReadableStream<EncodedFrame>,
      data.writable as WritableStream<EncodedFrame>,
      data.options,
    );
    return;
  }
  queue = queue
    .then(() => cryptor.onMessage(data))
    .catch((error: unknown) => cryptor.report('message_failed', error));
});

scope.addEventListener('rtctransform', ({ transformer }) => {
  pipe(transformer.readable, transformer.writable, transformer.options);
});

setInterval(() => scope.postMessage(cryptor.countersSnapshot()), 1000);
