import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrToCoturnRange, DENIED_PEER_CIDRS, ipToBytes, isIpOrCidr } from './addresses';

describe('cidrToCoturnRange', () => {
  it('turns IPv4 and IPv6 blocks into first-last ranges and a /32 or /128 into one address', () => {
    assert.equal(cidrToCoturnRange('10.0.0.0/8'), '10.0.0.0-10.255.255.255');
    assert.equal(cidrToCoturnRange('100.64.0.0/10'), '100.64.0.0-100.127.255.255');
    assert.equal(cidrToCoturnRange('240.0.0.0/4'), '240.0.0.0-255.255.255.255');
    assert.equal(cidrToCoturnRange('192.0.2.10'), '192.0.2.10');
    assert.equal(cidrToCoturnRange('::1/128'), '::1');
    assert.equal(cidrToCoturnRange('fc00::/7'), 'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    assert.equal(cidrToCoturnRange('::ffff:0:0/96'), '::ffff:0:0-::ffff:ffff:ffff');
    assert.equal(cidrToCoturnRange('2001:db8::/32'), '2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('masks host bits of a block written with them set', () => {
    assert.equal(cidrToCoturnRange('172.16.5.4/12'), '172.16.0.0-172.31.255.255');
  });

  it('throws on anything but an address or a block', () => {
    for (const bad of ['10.0.0.0/33', 'example.org', '10.0.0.0/8\nallow-loopback-peers', '::1/129', ''])
      assert.throws(() => cidrToCoturnRange(bad), /not an IP address/);
  });

  it('DENIED_PEER_CIDRS covers the metadata address, RFC 1918, loopback and ULA, each entry valid', () => {
    for (const cidr of DENIED_PEER_CIDRS) assert.ok(isIpOrCidr(cidr), cidr);
    for (const needed of [
      '169.254.0.0/16',
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '127.0.0.0/8',
      '::1/128',
      'fc00::/7',
      'fe80::/10',
      '::ffff:0:0/96',
    ])
      assert.ok(DENIED_PEER_CIDRS.includes(needed), needed);
  });
});

describe('ipToBytes', () => {
  it('encodes IPv4, IPv6 and IPv4-mapped addresses in network order', () => {
    assert.deepEqual([...ipToBytes('169.254.169.254')], [169, 254, 169, 254]);
    assert.equal(ipToBytes('fe80::1').toString('hex'), 'fe800000000000000000000000000001');
    assert.equal(ipToBytes('::ffff:10.0.0.1').toString('hex'), '00000000000000000000ffff0a000001');
  });
});
