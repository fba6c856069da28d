import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startSlapd, type SlapdFixture } from '@conclave/testing';
import { startAuthFixture, type AuthFixture } from './support/auth-fixture';

let slapd: SlapdFixture;
let fx: AuthFixture;

before(async () => {
  slapd = await startSlapd({ users: [] });
  fx = await startAuthFixture({
    config: {
      ldap: {
        url: slapd.ldapsUrl,
        caFile: slapd.caFile,
        bindDn: slapd.bindDn,
        bindPasswordFile: slapd.bindPasswordFile,
        userBase: slapd.userBase,
        userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
        groupBase: slapd.groupBase,
      },
    },
  });
});
after(async () => {
  await fx?.close();
  await slapd?.stop();
});

test('/metrics exports the expiry of the directory CA (ldap.caFile) as conclave_auth_tls_certificate_expiry_timestamp_seconds', async () => {
  const text = await (await fetch(`${fx.service.internalUrl}/metrics`)).text();
  const match =
    /^conclave_auth_tls_certificate_expiry_timestamp_seconds\{certificate="ldap-ca"\} (\S+)$/m.exec(text);
  assert.ok(match, 'the directory CA expiry is not exported');
  const notAfter = Date.parse(new X509Certificate(readFileSync(slapd.caFile)).validTo) / 1000;
  assert.equal(Number(match[1]), notAfter);
});
