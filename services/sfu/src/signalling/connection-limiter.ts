/** Open signalling connections per client address, so one host cannot hold the listener's sockets. */
export class ConnectionLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerAddress: number) {}

  /** Whether `address` may open one more connection now (checked at the WebSocket upgrade). */
  admits(address: string): boolean {
    return (this.open.get(address) ?? 0) < this.maxPerAddress;
  }

  /** Counts a new connection; false (and nothing counted) when the address is at its limit. */
  acquire(address: string): boolean {
    const count = this.open.get(address) ?? 0;
    if (count >= this.maxPerAddress) return false;
    this.open.set(address, count + 1);
    return true;
  }

  release(address: string): void {
    const count = (this.open.get(address) ?? 0) - 1;
    if (count > 0) this.open.set(address, count);
    else this.open.delete(address);
  }
}
