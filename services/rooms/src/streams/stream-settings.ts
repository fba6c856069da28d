/** How participant streams are kept alive (from the `streams` configuration). */
export class StreamSettings {
  constructor(
    /** A comment line is sent this often, so proxies and clients see a live connection. */
    readonly heartbeatSeconds: number,
  ) {}
}
