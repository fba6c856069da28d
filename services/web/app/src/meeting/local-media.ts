import { createStore, type Store } from '../store';

export type DeviceKind = 'camera' | 'microphone';

/** Why a device could not be opened, as the person should read it. */
export type DeviceProblem = 'denied' | 'missing' | 'busy' | 'failed';

export interface LocalMediaState {
  camera: MediaStreamTrack | undefined;
  microphone: MediaStreamTrack | undefined;
  problem: { kind: DeviceKind; problem: DeviceProblem } | undefined;
  /** Devices the browser lists (labels only once a permission was given). */
  devices: MediaDeviceInfo[];
  cameraId: string | undefined;
  microphoneId: string | undefined;
}

/** How a getUserMedia failure reads to the person. */
export function problemOf(error: unknown): DeviceProblem {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'failed';
}

/**
 * The person's camera and microphone. Nothing is opened until the person turns a device on; turning it off
 * stops its track (the camera light goes out) and `stopAll` stops every track when leaving.
 */
export class LocalMedia {
  readonly store: Store<LocalMediaState> = createStore<LocalMediaState>({
    camera: undefined,
    microphone: undefined,
    problem: undefined,
    devices: [],
    cameraId: undefined,
    microphoneId: undefined,
  });
  private stopped = false;
  /** Devices being opened now (the browser has not answered yet). */
  private readonly opening = new Map<DeviceKind, Promise<MediaStreamTrack | undefined>>();

  /** Opens one device; resolves to its track, or undefined (the problem is in the state). */
  async turnOn(kind: DeviceKind): Promise<MediaStreamTrack | undefined> {
    const state = this.store.get();
    if (state[kind] !== undefined) return state[kind];
    const pending = this.opening.get(kind);
    if (pending !== undefined) return pending;
    const opened = this.open(kind, kind === 'camera' ? state.cameraId : state.microphoneId).then((track) => {
      if (track !== undefined) this.store.set({ ...this.store.get(), [kind]: track, problem: undefined });
      return track;
    });
    this.opening.set(kind, opened);
    try {
      return await opened;
    } finally {
      this.opening.delete(kind);
    }
  }

  /**
   * The device's track once it is open: the one on now, or the one the browser is still opening (a person who
   * turns the camera on and enters at once still sends it), else undefined.
   */
  async ready(kind: DeviceKind): Promise<MediaStreamTrack | undefined> {
    return this.store.get()[kind] ?? (await this.opening.get(kind));
  }

  /**
   * Switches a device that is on to another one during a call: the new track is opened and handed over (to
   * the sender) before the old one stops, so the others never lose the picture or the sound. A device that is
   * off only remembers the choice.
   */
  async switchTo(
    kind: DeviceKind,
    deviceId: string,
    handOver: (track: MediaStreamTrack) => Promise<void>,
  ): Promise<void> {
    const old = this.store.get()[kind];
    this.store.set({ ...this.store.get(), [kind === 'camera' ? 'cameraId' : 'microphoneId']: deviceId });
    if (old === undefined) return;
    const track = await this.open(kind, deviceId);
    if (track === undefined) return;
    await handOver(track).catch(() => undefined);
    this.store.set({ ...this.store.get(), [kind]: track, problem: undefined });
    old.stop();
  }

  /** Opens one device; the problem goes in the state when it cannot. */
  private async open(kind: DeviceKind, deviceId: string | undefined): Promise<MediaStreamTrack | undefined> {
    const constraint: MediaTrackConstraints = deviceId !== undefined ? { deviceId: { exact: deviceId } } : {};
    try {
      const stream = await navigator.mediaDevices.getUserMedia(
        kind === 'camera' ? { video: { ...constraint, width: 640, height: 360 } } : { audio: constraint },
      );
      const track = stream.getTracks()[0];
      if (track === undefined) throw new DOMException('no track', 'NotFoundError');
      if (this.stopped) {
        track.stop();
        return undefined;
      }
      track.addEventListener('ended', () => {
        if (this.store.get()[kind] === track) this.store.set({ ...this.store.get(), [kind]: undefined });
      });
      void this.listDevices();
      return track;
    } catch (error) {
      this.store.set({ ...this.store.get(), problem: { kind, problem: problemOf(error) } });
      return undefined;
    }
  }

  /** Stops one device's track. */
  turnOff(kind: DeviceKind): void {
    this.store.get()[kind]?.stop();
    this.store.set({ ...this.store.get(), [kind]: undefined });
  }

  /** Chooses another device; reopens it at once when that kind is on. */
  async choose(kind: DeviceKind, deviceId: string): Promise<void> {
    const on = this.store.get()[kind] !== undefined;
    this.turnOff(kind);
    this.store.set({ ...this.store.get(), [kind === 'camera' ? 'cameraId' : 'microphoneId']: deviceId });
    if (on) await this.turnOn(kind);
  }

  async listDevices(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    this.store.set({ ...this.store.get(), devices });
  }

  /** Leaving: every track stops, and none is opened afterwards. */
  stopAll(): void {
    this.stopped = true;
    this.turnOff('camera');
    this.turnOff('microphone');
  }
}
