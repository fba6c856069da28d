import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackAddress } from './loopback';

test('isLoopbackAddress() accepts 127.0.0.0/8, ::1 and IPv4-mapped loopback only', () => {
  for (const ip of ['127.0.0.1', '127.255.3.4', '::1', '::ffff:127.0.0.1'])
    assert.equal(isLoopbackAddress(ip), true, ip);
  for (const ip of [
    '128.0.0.1',
    '10.0.0.1',
    '0.0.0.0',
    '::',
    '::ffff:8.8.8.8',
    '2001:db8::1',
    'localhost',
    '',
  ])
    assert.equal(isLoopbackAddress(ip), false, ip);
});
