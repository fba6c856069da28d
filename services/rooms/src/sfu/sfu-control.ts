import { readFileSync } from 'node:fs';
import type { MediaSource, Right } from '@conclave/protocol';
import { UnavailableError, type Logger } from '@conclave/server-kit';

/**
 * The organiser powers as the SFU applies them to the media. Each call resolves once the change took effect;
 * a participant (or meeting) the SFU does not host right now is not an error: nothing flows to stop.
 */
export interface SfuControl {
  setRights(meetingId: string, participantId: string, rights: readonly Right[], actor: string): Promise<void>;
  pause(meetingId: string, participantId: string, source: MediaSource, actor: string): Promise<void>;
  remove(meetingId: string, participantId: string, bar: boolean, actor: string): Promise<void>;
  end(meetingId: string, actor: string): Promise<void>;
}

export interface HttpSfuControlOptions {
  /** e.g. http://127.0.0.1:9464 */
  internalUrl: string;
  apiTokenFile: string;
  timeoutMs: number;
}

/** The SFU's internal API over HTTP, authenticated with the bearer token from a file. */
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

  setRights(
    meetingId: string,
    participantId: string,
    rights: readonly Right[],
    actor: string,
  ): Promise<void> {
    return this.call('PUT', `${participantPath(meetingId, participantId)}/rights`, { rights, actor });
  }

  pause(meetingId: string, participantId: string, source: MediaSource, actor: string): Promise<void> {
    return this.call('POST', `${participantPath(meetingId, participantId)}/pause`, { source, actor });
  }

  remove(meetingId: string, participantId: string, bar: boolean, actor: string): Promise<void> {
    return this.call('POST', `${participantPath(meetingId, participantId)}/remove`, { bar, actor });
  }

  end(meetingId: string, actor: string): Promise<void> {
    return this.call('POST', `/internal/v1/rooms/${encodeURIComponent(meetingId)}/end`, { actor });
  }

  private async call(method: string, path: string, body: unknown): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      this.log.error('SFU internal API unreachable', { error: error as Error, path });
      throw new UnavailableError('media_unavailable', 'the media server did not answer; nothing was changed');
    }
    const text = await response.text();
    if (response.status === 200) return;
    if (response.status === 404) return;
    this.log.error('SFU internal API refused a change', {
      status: response.status,
      path,
      answer: text.slice(0, 200),
    });
    throw new UnavailableError(
      'media_unavailable',
      'the media server refused the change; nothing was changed',
    );
  }
}

function participantPath(meetingId: string, participantId: string): string {
  return `/internal/v1/rooms/${encodeURIComponent(meetingId)}/participants/${encodeURIComponent(participantId)}`;
}
