import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { edgeConfigSchema, renderEdgeNginxConf } from './edge';

const base = {
  web: { serverName: 'meet.example.org', upstream: { host: '127.0.0.1', port: 8443 } },
  turn: { serverName: 'turn.example.org', upstream: { host: '127.0.0.1', port: 5349 } },
};

describe('renderEdgeNginxConf', () => {
  const lines = renderEdgeNginxConf(edgeConfigSchema.parse(base))
    .split('\n')
    .map((l) => l.trim());

  it('routes the two names by ssl_preread on 443 (IPv4 and IPv6) and maps every other name to nothing', () => {
    for (const line of [
      'load_module /usr/lib/nginx/modules/ngx_stream_module.so;',
      'listen 0.0.0.0:443;',
      'listen [::]:443 ipv6only=on;',
      'ssl_preread on;',
      'meet.example.org 127.0.0.1:8443;',
      'turn.example.org 127.0.0.1:5349;',
      'default "";',
      'proxy_pass $conclave_upstream;',
      'preread_timeout 5s;',
      'limit_conn conclave_edge_per_address 200;',
    ])
      assert.ok(lines.includes(line), line);
    assert.ok(!lines.some((l) => l.startsWith('http')), 'no http block: the edge never terminates TLS');
  });

  it('throws when the web and TURN names are the same', () => {
    const same = { ...base, turn: { ...base.turn, serverName: 'meet.example.org' } };
    assert.throws(() => renderEdgeNginxConf(edgeConfigSchema.parse(same)), /must differ/);
  });

  it('edgeConfigSchema refuses names, hosts and paths that would inject a directive', () => {
    const bad = [
      { ...base, web: { ...base.web, serverName: 'meet.example.org; default 10.0.0.1:22' } },
      { ...base, web: { ...base.web, serverName: 'MEET.example.org' } },
      { ...base, turn: { ...base.turn, upstream: { host: '10.0.0.1:22;', port: 5349 } } },
      { ...base, pidFile: '/run/x.pid;\nuser root' },
      { ...base, accessLog: '$remote_addr' },
      { ...base, surprise: true },
    ];
    for (const config of bad)
      assert.equal(edgeConfigSchema.safeParse(config).success, false, JSON.stringify(config));
  });
});
