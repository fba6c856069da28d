import { iceServersSchema, type IceServers } from '@conclave/protocol';

/** A join ticket and what room control gave with it (the appliance's TURN relay and this user's credential). */
export interface TicketGrant {
  ticket: string;
  iceServers?: IceServers;
}

/**
 * A ticket source's answer as the Meeting uses it: ICE servers that break the wire contract (a URL outside
 * `turn:`/`turns:`, a malformed credential) are refused with `invalid_ice_servers` rather than given to the browser.
 */
export function ticketGrant(
  answer: string | { ticket: string; iceServers?: IceServers | undefined },
): TicketGrant {
  if (typeof answer === 'string') return { ticket: answer };
  if (answer.iceServers === undefined) return { ticket: answer.ticket };
  const parsed = iceServersSchema.safeParse(answer.iceServers);
  if (!parsed.success)
    throw Object.assign(new Error('room control sent ICE servers outside the contract'), {
      code: 'invalid_ice_servers',
    });
  return { ticket: answer.ticket, iceServers: parsed.data };
}
