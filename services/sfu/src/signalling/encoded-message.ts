import type { ServerNotification } from '@conclave/protocol';

/**
 * A notification serialised once for a fan-out: every recipient's socket gets the same string, so relaying to
 * N participants costs one `JSON.stringify`, not N.
 */
export class EncodedNotification {
  private constructor(
    readonly type: ServerNotification['type'],
    readonly text: string,
  ) {}

  static of(message: ServerNotification): EncodedNotification {
    return new EncodedNotification(message.type, JSON.stringify(message));
  }

  /** Size on the wire (UTF-8). */
  get bytes(): number {
    return Buffer.byteLength(this.text, 'utf8');
  }
}

/** What a participant can be sent: a notification, or one already serialised for a fan-out. */
export type OutboundNotification = ServerNotification | EncodedNotification;
