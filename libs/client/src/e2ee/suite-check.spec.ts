import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAnnouncedSuite } from './suite-check';

/** A compact JWS with these claims (the signature is the SFU's business; the client reads its own copy). */
const ticket = (claims: object) =>
  ['{"alg":"EdDSA"}', JSON.stringify(claims)].map((p) => Buffer.from(p).toString('base64url')).join('.') +
  '.c2lnbmF0dXJl';

describe('checkAnnouncedSuite', () => {
  it('accepts the suite the ticket names', () => {
    assert.deepEqual(checkAnnouncedSuite(ticket({ mls_suite: 'xwing-pq' }), 'xwing-pq'), {
      ok: true,
      suite: 'xwing-pq',
    });
  });

  it('refuses a weaker suite than the ticket names with suite_mismatch', () => {
    const verdict = checkAnnouncedSuite(ticket({ mls_suite: 'xwing-pq' }), 'aes256');
    assert.equal(verdict.ok, false);
    assert.equal(!verdict.ok && verdict.code, 'suite_mismatch');
  });

  it('accepts any known suite for a ticket naming none, and refuses an unknown one', () => {
    assert.equal(checkAnnouncedSuite(ticket({ sub: 'alice' }), 'aes256').ok, true);
    const verdict = checkAnnouncedSuite(ticket({ sub: 'alice' }), 'rot13');
    assert.equal(!verdict.ok && verdict.code, 'suite_mismatch');
  });

  it('refuses with invalid_ticket a ticket that is not a JWS or names an unknown suite', () => {
    for (const bad of ['not-a-jwt', 'a.%%%.c', `a.${Buffer.from('[1]').toString('base64url')}.c`]) {
      const verdict = checkAnnouncedSuite(bad, 'aes256');
      assert.equal(!verdict.ok && verdict.code, 'invalid_ticket', bad);
    }
    const verdict = checkAnnouncedSuite(ticket({ mls_suite: 'rot13' }), 'aes256');
    assert.equal(!verdict.ok && verdict.code, 'invalid_ticket');
  });
});
