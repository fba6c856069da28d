/**
 * Escapes a value for an LDAP search filter (RFC 4515 §3): `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`,
 * `\29`, `\5c`, `\00`; control characters and every byte of a non-ASCII letter's UTF-8 form are escaped too.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const safe =
      byte >= 0x20 && byte < 0x7f && byte !== 0x2a && byte !== 0x28 && byte !== 0x29 && byte !== 0x5c;
    out += safe ? String.fromCharCode(byte) : `\\${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Fills a configured filter template: every `{name}` is replaced by the escaped value. */
export function fillFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? escapeFilterValue(values[name]!) : whole,
  );
}

/** Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: membership through nested groups ([MS-ADTS] 3.1.1.3.4.4). */
export const MATCHING_RULE_IN_CHAIN = '1.2.840.113556.1.4.1941';
