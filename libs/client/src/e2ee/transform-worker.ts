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

// Key messages are applied in order: an epoch's keys are installed before the next message is looked at.
let queue: Promise<void> = Promise.resolve();
scope.addEventListener('message', ({ data }) => {
  if (data.type === 'streams') {
    void data.readable
      .pipeThrough(cryptor.transformStream(data.options))
      .pipeTo(data.writable)
      .catch(() => undefined);
    return;
  }
  queue = queue.then(() => cryptor.onMessage(data)).catch(() => undefined);
});

scope.addEventListener('rtctransform', ({ transformer }) => {
  void transformer.readable
    .pipeThrough(cryptor.transformStream(transformer.options))
    .pipeTo(transformer.writable)
    .catch(() => undefined);
});

setInterval(() => scope.postMessage(cryptor.countersSnapshot()), 1000);
