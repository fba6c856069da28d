import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcNetUdp } from './udp-sockets';

describe('parseProcNetUdp()', () => {
  it('reads the local port, receive queue and drop counter of each socket', () => {
    const text = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      ' 1203: 0100007F:9C41 00000000:0000 07 00000000:00000340 00:00000000 00000000     0        0 81234 2 00000000a1b2c3d4 17',
      ' 1204: 0100007F:0035 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 81235 2 00000000a1b2c3d5 0',
      '',
    ].join('\n');
    assert.deepEqual(parseProcNetUdp(text), [
      { localPort: 0x9c41, rxQueueBytes: 0x340, drops: 17 },
      { localPort: 53, rxQueueBytes: 0, drops: 0 },
    ]);
  });
});
