import type { TicketGrant } from '@conclave/client';
import type { TicketResponse } from '@conclave/protocol';

/** A refusal from room control, with its stable code (the Meeting ends with it instead of retrying). */
export class TicketRefusedError extends Error {
  override readonly name = 'TicketRefusedError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Fresh join tickets for one admitted participant session from room control
 * (`POST /meetings/{id}/participants/{pid}/ticket`), for the Meeting's rejoin after a lost connection, with
 * the ICE servers (the appliance's TURN relay) room control gave with each; the Meeting checks them.
 */
export function roomControlTickets(options: {
  baseUrl: string;
  accessToken: string;
  meetingId: string;
  participantId: string;
}): () => Promise<TicketGrant> {
  const url =
    `${options.baseUrl.replace(/\/+$/, '')}/meetings/${encodeURIComponent(options.meetingId)}` +
    `/participants/${encodeURIComponent(options.participantId)}/ticket`;
  return async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.accessToken}` },
    });
    const body = (await response.json().catch(() => undefined)) as Partial<TicketResponse> & {
      code?: unknown;
    };
    if (!response.ok) {
      // 5xx and 429 are the service, not a decision about this person: the Meeting retries those.
      const code = response.status >= 500 || response.status === 429 ? undefined : body?.code;
      throw new TicketRefusedError(
        `room control refused a ticket (${response.status})`,
        typeof code === 'string' ? code : undefined,
      );
    }
    if (typeof body?.ticket !== 'string' || body.ticket.length < 16 || body.ticket.length > 8192)
      throw new TicketRefusedError('room control sent no ticket', undefined);
    return { ticket: body.ticket, ...(body.iceServers !== undefined ? { iceServers: body.iceServers } : {}) };
  };
}
