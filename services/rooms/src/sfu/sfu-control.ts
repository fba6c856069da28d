import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import {
  sfuErrorReplySchema,
  sfuInternalBodySchemas,
  sfuInternalRoute,
  sfuPowerReplySchema,
  type SfuInternalCall,
  type SfuPowerReply,
} from '@conclave/protocol';
import { mutualTlsClientOptions, UnavailableError, type Logger } from '@conclave/server-kit';

/**
 * The organiser powers as the SFU applies them to the media (`libs/protocol/src/sfu-internal.ts`). A call
 * resolves once the SFU recorded the change (so earlier tickets are refused) and applied it to the live
 * session, if any (`live`).
 */
export interface SfuControl {
  apply(call: SfuInternalCall): Promise<SfuPowerReply>;
}

export interface HttpSfuControlOptions {
  /** e.g. https://127.0.0.1:9464 (mutual TLS, with `tls`) or http://127.0.0.1:9464 */
  internalUrl: string;
  apiTokenFile: string;
  /** Room control's client certificate and key, and the appliance root that the SFU's certificate must chain to. */
  tls?: { certFile: string; keyFile: string; trustFile: string };
  timeoutMs: number;
}

/** Largest reply read from the SFU: its replies are a few hundred bytes. */
const MAX_REPLY_BYTES = 64 * 1024;

/**
 * The SFU's internal API over HTTPS with mutual TLS (room control's service certificate; the SFU's checked
 * against the appliance root) or, without `tls`, plain HTTP; authenticated with the bearer token from a file
 * as well; replies are validated.
 */
export class HttpSfuControl implements SfuControl {
  private readonly token: string;
  private readonly base: string;
  private readonly agent: Agent | undefined;

  constructor(
    private readonly options: HttpSfuControlOptions,
    private readonly log: Logger,
  ) {
    this.token = readFileSync(options.apiTokenFile, 'utf8').trim();
    this.base = options.internalUrl.replace(/\/+$/, '');
    // Read once at start-up: a missing or exposed key (not 0600) is a configuration error. No keep-alive:
    // organiser powers are rare, and no idle connection outlives the service.
    this.agent =
      options.tls !== undefined
        ? new Agent({ keepAlive: false, ...mutualTlsClientOptions(options.tls) })
        : undefined;
  }

  async apply(call: SfuInternalCall): Promise<SfuPowerReply> {
    const { method, path } = sfuInternalRoute(call);
    const body = sfuInternalBodySchemas[call.kind].parse(call.body);
    let status: number;
    let answer: unknown;
    try {
      const response = await this.send(method, path, JSON.stringify(body));
      status = response.status;
      answer = JSON.parse(response.text) as unknown;
    } catch (error) {
      this.log.error('SFU internal API unreachable or not JSON', { error: error as Error, path });
      throw new UnavailableError('media_unavailable', 'the media server did not answer; nothing was changed');
    }
    const reply = sfuPowerReplySchema.safeParse(answer);
    if (status === 200 && reply.success) return reply.data;
    const refusal = sfuErrorReplySchema.safeParse(answer);
    this.log.error('SFU internal API refused a change', {
      status,
      path,
      code: refusal.success ? refusal.data.code : 'unparsable reply',
    });
    throw new UnavailableError(
      'media_unavailable',
      'the media server refused the change; nothing was changed',
    );
  }

  private send(method: string, path: string, body: string): Promise<{ status: number; text: string }> {
    const url = new URL(`${this.base}${path}`);
    const options = {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    };
    return new Promise((resolve, reject) => {
      const onResponse = (res: import('node:http').IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > MAX_REPLY_BYTES) req.destroy(new Error('SFU reply too large'));
          else chunks.push(chunk);
        });
        res.once('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.once('error', reject);
      };
      const req =
        this.agent !== undefined
          ? httpsRequest(url, { ...options, agent: this.agent }, onResponse)
          : httpRequest(url, options, onResponse);
      req.once('error', reject);
      req.end(body);
    });
  }
}
