import { E2EE_SUITES, type E2eeSuite, type ErrorCode } from '@conclave/protocol';

export type SuiteVerdict =
  | { ok: true; suite: E2eeSuite }
  | { ok: false; code: Extract<ErrorCode, 'suite_mismatch' | 'invalid_ticket'>; message: string };

/**
 * Checks the MLS suite the SFU announces in its `hello` answer against the `mls_suite` claim of our own join
 * ticket. Room control signs the meeting's suite (its security setting) into every ticket, and the client
 * got the ticket from room control directly: the SFU only sees it, so it cannot change the claim, while a
 * hostile SFU could announce a weaker suite (e.g. classical instead of post-quantum X-Wing) and have us build
 * or join a group in it. The claim is read without checking the signature: the ticket is our own copy, and
 * the SFU checks the signature. A ticket naming no suite (development set-ups; room control always names
 * one) leaves the SFU's default, which must still be a suite Conclave knows.
 */
export function checkAnnouncedSuite(ticket: string, announced: unknown): SuiteVerdict {
  if (!isSuite(announced)) {
    return { ok: false, code: 'suite_mismatch', message: 'the SFU announced an unknown MLS suite' };
  }
  const claims = ticketClaims(ticket);
  if (claims === undefined) {
    return { ok: false, code: 'invalid_ticket', message: 'the join ticket cannot be read' };
  }
  const signed = claims.mls_suite;
  if (signed === undefined) return { ok: true, suite: announced };
  if (!isSuite(signed)) {
    return { ok: false, code: 'invalid_ticket', message: 'the join ticket names an unknown MLS suite' };
  }
  if (signed !== announced) {
    return {
      ok: false,
      code: 'suite_mismatch',
      message: `the SFU announced the ${announced} suite, the join ticket says ${signed}: refusing to join`,
    };
  }
  return { ok: true, suite: announced };
}

function isSuite(value: unknown): value is E2eeSuite {
  return typeof value === 'string' && (E2EE_SUITES as readonly string[]).includes(value);
}

/** The payload of a compact JWS (RFC 7515 §7.1), or undefined if it is not one. */
function ticketClaims(ticket: string): { mls_suite?: unknown } | undefined {
  const parts = ticket.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) return undefined;
  try {
    const binary = atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'));
    const json: unknown = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))),
    );
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as { mls_suite?: unknown })
      : undefined;
  } catch {
    return undefined;
  }
}
