import { PayloadTooLargeError, TooManyRequestsError, type Clock } from '@conclave/server-kit';
import type { Participant } from '../rooms/participant';
import { TokenBucket } from './token-bucket';

/** Bounds on one participant's chat (MLS application messages), which the SFU copies to every member. */
export interface ChatLimits {
  /** Largest application message relayed (MLS bytes). */
  maxMessageBytes: number;
  messagesPerSecond: number;
  burstMessages: number;
  /** Sustained and burst MLS bytes per participant; what the room receives is this times the other members. */
  bytesPerSecond: number;
  burstBytes: number;
}

interface Budget {
  messages: TokenBucket;
  bytes: TokenBucket;
}

/**
 * Per-participant chat budget: a relay fans each message out to every member, so without a bound one sender's
 * bytes are multiplied by the size of the room.
 */
export class ChatLimiter {
  private readonly budgets = new WeakMap<Participant, Budget>();

  constructor(
    private readonly limits: ChatLimits,
    private readonly clock: Clock,
  ) {}

  /** Charges `message` (base64url) to the participant's budget; throws when it is too large or over budget. */
  admit(participant: Participant, message: string): void {
    const bytes = Math.floor((message.length * 3) / 4);
    if (bytes > this.limits.maxMessageBytes) {
      throw new PayloadTooLargeError(
        'message_too_large',
        `chat messages are at most ${this.limits.maxMessageBytes} bytes`,
      );
    }
    const budget = this.budgetOf(participant);
    if (!budget.messages.take() || !budget.bytes.take(bytes)) {
      throw new TooManyRequestsError('rate_limited', 'chat rate limit reached; try again shortly', 1);
    }
  }

  private budgetOf(participant: Participant): Budget {
    let budget = this.budgets.get(participant);
    if (budget === undefined) {
      const { messagesPerSecond, burstMessages, bytesPerSecond, burstBytes } = this.limits;
      budget = {
        messages: new TokenBucket(messagesPerSecond, burstMessages, this.clock),
        bytes: new TokenBucket(bytesPerSecond, burstBytes, this.clock),
      };
      this.budgets.set(participant, budget);
    }
    return budget;
  }
}
