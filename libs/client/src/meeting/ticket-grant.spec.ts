import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ticketGrant } from './ticket-grant';

const TICKET = 'header.claims.signature';
const relay = {
  iceServers: [
    {
      urls: [
        'turn:turn.conclave.example:3478?transport=udp',
        'turns:turn.conclave.example:443?transport=tcp',
      ],
      username: '1765000000:alice',
      credential: 'q1Xv7aQ9n1N2ZlJp3jv0oV4e5Hk=',
    },
  ],
  expiresAt: '2026-12-08T10:00:00.000Z',
};

describe('ticketGrant', () => {
  it('a bare ticket string gives a grant without ICE servers', () => {
    assert.deepEqual(ticketGrant(TICKET), { ticket: TICKET });
  });

  it("the appliance's TURN relay with a TURN REST credential is kept as given", () => {
    assert.deepEqual(ticketGrant({ ticket: TICKET, iceServers: relay }), {
      ticket: TICKET,
      iceServers: relay,
    });
  });

  it('a STUN server outside the appliance is refused with invalid_ice_servers', () => {
    const outside = {
      ...relay,
      iceServers: [{ ...relay.iceServers[0]!, urls: ['stun:stun.l.google.com:19302'] }],
    };
    assert.throws(
      () => ticketGrant({ ticket: TICKET, iceServers: outside }),
      (error: Error & { code?: string }) => error.code === 'invalid_ice_servers',
    );
  });

  it('a TURN entry without its credential is refused with invalid_ice_servers', () => {
    const { credential: _dropped, ...bare } = relay.iceServers[0]!;
    assert.throws(
      () => ticketGrant({ ticket: TICKET, iceServers: { ...relay, iceServers: [bare] } as typeof relay }),
      (error: Error & { code?: string }) => error.code === 'invalid_ice_servers',
    );
  });
});
