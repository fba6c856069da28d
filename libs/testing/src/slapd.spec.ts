import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startSlapd } from './slapd';

const run = promisify(execFile);

test('startSlapd() serves StartTLS and LDAPS with its CA, keeps memberOf, and hides userPassword', async () => {
  const slapd = await startSlapd({
    users: [{ uid: 'ann', password: 'Ann-Secret-Password-1', groups: ['staff'] }],
  });
  try {
    const password = readFileSync(slapd.bindPasswordFile, 'utf8').trim();
    const env = { ...process.env, LDAPTLS_CACERT: slapd.caFile, LDAPTLS_REQCERT: 'demand' };
    const search = (url: string, extra: string[], bind = true) =>
      run(
        'ldapsearch',
        [
          '-x',
          '-LLL',
          '-H',
          url,
          ...extra,
          ...(bind ? ['-D', slapd.bindDn, '-w', password] : []),
          '-b',
          slapd.userBase,
          '(uid=ann)',
          'memberOf',
          'userPassword',
        ],
        { env },
      );
    for (const [url, extra] of [
      [slapd.ldapUrl, ['-ZZ']],
      [slapd.ldapsUrl, []],
    ] as const) {
      const { stdout } = await search(url, [...extra]);
      assert.match(stdout, new RegExp(`memberOf: ${slapd.groupDn('staff')}`));
      assert.doesNotMatch(stdout, /userPassword/);
    }
    const anonymous = await search(slapd.ldapUrl, [], false).then(
      (r) => r.stdout,
      (e: { stdout?: string }) => e.stdout ?? '',
    );
    assert.doesNotMatch(anonymous, /uid=ann|userPassword/);
    await assert.rejects(
      run('ldapsearch', ['-x', '-H', slapd.ldapsUrl, '-b', slapd.baseDn], {
        env: { ...process.env, LDAPTLS_CACERT: slapd.otherCaFile, LDAPTLS_REQCERT: 'demand' },
      }),
    );
  } finally {
    await slapd.destroy();
  }
});
