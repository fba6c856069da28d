import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { TURN_CREDENTIAL_MAX_LIFETIME_SECONDS } from './config';
import { issueTurnCredential, turnRestPassword } from './rest-credentials';

const secret = 'a'.repeat(40);
const now = Date.UTC(2026, 11, 7, 22, 0, 0);

describe('issueTurnCredential', () => {
  it('signs "expiry:userId" with HMAC-SHA1 of the secret, expiring with the session', () => {
    const credential = issueTurnCredential({ secret, userId: 'alice', now, expiresAt: now + 3_600_000 });
    assert.equal(credential.username, `${(now + 3_600_000) / 1000}:alice`);
    assert.equal(
      credential.credential,
      createHmac('sha1', secret).update(credential.username).digest('base64'),
    );
    assert.equal(credential.expiresAt, now + 3_600_000);
  });

  it('caps the expiry at TURN_CREDENTIAL_MAX_LIFETIME_SECONDS whatever the session asks', () => {
    const credential = issueTurnCredential({
      secret,
      userId: 'alice',
      now,
      expiresAt: now + 30 * 86_400_000,
    });
    assert.equal(credential.expiresAt, now + TURN_CREDENTIAL_MAX_LIFETIME_SECONDS * 1000);
  });

  it('throws for a session already over, an empty or spaced user id, or a short secret', () => {
    assert.throws(() => issueTurnCredential({ secret, userId: 'alice', now, expiresAt: now }), /expired/);
    assert.throws(() => issueTurnCredential({ secret, userId: '', now, expiresAt: now + 1000 }), /user id/);
    assert.throws(
      () => issueTurnCredential({ secret, userId: 'a b', now, expiresAt: now + 1000 }),
      /user id/,
    );
    assert.throws(
      () => issueTurnCredential({ secret: 'short', userId: 'a', now, expiresAt: now + 1000 }),
      /short/,
    );
  });

  it('turnRestPassword() matches the TURN REST draft form (base64 of a 20-byte HMAC)', () => {
    assert.match(turnRestPassword(secret, '1:alice'), /^[A-Za-z0-9+/]{27}=$/);
  });
});
