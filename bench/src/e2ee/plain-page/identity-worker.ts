/**
 * Benchmark only: the "E2EE off" transform worker. It receives every sender's and receiver's encoded frames
 * exactly as the product's worker does (RTCRtpScriptTransform, or the legacy `streams` message) and passes them
 * through a per-frame TransformStream that changes nothing, so the only thing the benchmark's off arm leaves out
 * is the cryptography. The product has no such worker: there, E2EE cannot be turned off.
 */
import type { ToWorker } from '@conclave/client';

interface FramePipe {
  readonly readable: ReadableStream<unknown>;
  readonly writable: WritableStream<unknown>;
}

interface WorkerScope {
  addEventListener(type: 'message', listener: (event: { data: ToWorker }) => void): void;
  addEventListener(type: 'rtctransform', listener: (event: { transformer: FramePipe }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;

function passUnchanged(pipe: FramePipe): void {
  // A TransformStream with a per-frame callback, like FrameCryptor.transformStream, so both arms pay the
  // same stream hops and callbacks; only protect/unprotect is missing here.
  const identity = new TransformStream<unknown, unknown>({
    transform: (frame, controller) => controller.enqueue(frame),
  });
  void pipe.readable
    .pipeThrough(identity)
    .pipeTo(pipe.writable)
    .catch(() => undefined);
}

scope.addEventListener('rtctransform', ({ transformer }) => passUnchanged(transformer));
scope.addEventListener('message', ({ data }) => {
  // Key messages ('epoch', 'retire', 'clear') never come: this page runs no MLS session.
  if (data.type === 'streams') passUnchanged(data as unknown as FramePipe);
});
