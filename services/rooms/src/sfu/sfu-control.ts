import { readFileSync } from 'node:fs';
import {
  sfuErrorReplySchema,
  sfuInternalBodySchemas,
  sfuInternalRoute,
  sfuPowerReplySchema,
  type SfuInternalCall,
  type SfuPowerReply,
} from '@conclave/protocol';
import { UnavailableError, type Logger } from '@conclave/server-kit';

/**
 * The organiser powers as the SFU applies them to the media (`libs/protocol/src/sfu-internal.ts`). A call
 * resolves once the SFU recorded the change (so earlier tickets are refused) and applied it to the live
 * session, if any (`live`).
 */
export interface SfuControl {
  apply(call: SfuInternalCall): Promise<SfuPowerReply>;
}

export interface HttpSfuControlOptions {
  /** e.g. http://127.0.0.1:9464 */
  internalUrl: string;
  apiTokenFile: string;
  timeoutMs: number;
}

/** The SFU's internal API over HTTP, authenticated with the bearer token from a file; replies are validated. */
export class HttpSfuControl implements SfuControl {
  private readonly token: string;
  private readonly base: string;

  constructor(
    private readonly options: HttpSfuControlOptions,
    private readonly log: Logger,
  ) {
    this.token = readFileSync(options.apiTokenFile, 'utf8').trim();
    this.base = options.internalUrl.replace(/\/+$/, '');
  }

  async apply(call: SfuInternalCall): Promise<SfuPowerReply> {
    const { method, path } = sfuInternalRoute(call);
    const body = sfuInternalBodySchemas[call.kind].parse(call.body);
    let response: Response;
    let answer: unknown;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      answer = JSON.parse(await response.text()) as unknown;
    } catch (error) {
      this.log.error('SFU internal API unreachable or not JSON', { error: error as Error, path });
      throw new UnavailableError('media_unavailable', 'the media server did not answer; nothing was changed');
    }
    const reply = sfuPowerReplySchema.safeParse(answer);
    if (response.status === 200 && reply.success) return reply.data;
    const refusal = sfuErrorReplySchema.safeParse(answer);
    this.log.error('SFU internal API refused a change', {
      status: response.status,
      path,
      code: refusal.success ? refusal.data.code : 'unparsable reply',
    });
    throw new UnavailableError(
      'media_unavailable',
      'the media server refused the change; nothing was changed',
    );
  }
}
