import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import type { DataSource } from 'typeorm';
import { writeSelfSignedCertificate, type CertificateFiles } from '@conclave/server-kit';
import {
  AuditStore,
  CheckpointKey,
  FileExportSink,
  formatSyslog,
  OctetCountingDecoder,
  SyslogSender,
  SYSLOG_SD_ID,
} from '../src';
import { sqliteEngine, type Engine } from './support';

/** RFC 5424 §6: HEADER SP STRUCTURED-DATA SP MSG. */
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?[^\\]\]) \uFEFF(.*)$/s;

function startReceiver(
  server: Server,
): Promise<{ port: number; messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  server.on('connection', (socket) => {
    const decoder = new OctetCountingDecoder();
    socket.on('data', (chunk: Buffer) => messages.push(...decoder.push(chunk)));
  });
  server.on('secureConnection', (socket) => {
    const decoder = new OctetCountingDecoder();
    socket.on('data', (chunk: Buffer) => messages.push(...decoder.push(chunk)));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        messages,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('audit export as RFC 5424 syslog', () => {
  let engine: Engine;
  let dataSource: DataSource;
  let store: AuditStore;
  let dir: string;
  let tls: CertificateFiles;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conclave-syslog-'));
    tls = await writeSelfSignedCertificate(dir, { hosts: ['localhost', '127.0.0.1'] });
    engine = await sqliteEngine();
    ({ dataSource } = await engine.open('syslog'));
    store = new AuditStore(dataSource, {
      key: CheckpointKey.loadOrCreate(join(dir, 'audit.key')),
      checkpointIntervalMs: 0,
    });
    await store.record({
      action: 'room.participant.remove',
      outcome: 'success',
      actor: 'alice',
      target: 'bob"]\\',
      details: { room: 'r1' },
    });
    await store.record({
      action: 'room.power.denied',
      outcome: 'failure',
      actor: 'mallory',
      target: 'alice',
      reason: 'not_organiser',
    });
  });
  after(async () => {
    await dataSource.destroy();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('formatSyslog() yields an RFC 5424 message: log-audit facility, action as MSGID, escaped structured data', async () => {
    const lines: string[] = [];
    await store.export(
      'syslog',
      { write: async (l) => void lines.push(l) },
      { syslog: { hostname: 'appliance-1' } },
    );
    const match = RFC5424.exec(lines[0]!);
    assert.ok(match, lines[0]);
    const [, pri, timestamp, host, app, procId, msgId, sd, msg] = match;
    assert.equal(Number(pri), 13 * 8 + 5);
    assert.match(timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual([host, app, procId, msgId], ['appliance-1', 'conclave', '-', 'room.participant.remove']);
    assert.ok(
      sd!.startsWith(`[${SYSLOG_SD_ID} seq="1" outcome="success" actor="alice" target="bob\\"\\]\\\\"`),
      sd,
    );
    assert.equal(JSON.parse(msg!).target, 'bob"]\\');
    assert.equal(Number(RFC5424.exec(lines[1]!)![1]), 13 * 8 + 4, 'a failure is a warning');
  });

  test('export to a file writes one syslog message per line', async () => {
    const sink = new FileExportSink(join(dir, 'audit.log'));
    await store.export('syslog', sink);
    await sink.close();
    const lines = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, RFC5424);
  });

  test('SyslogSender delivers every entry over TCP with octet-counting framing', async () => {
    const receiver = await startReceiver(createTcpServer());
    const sender = await SyslogSender.connect({ host: '127.0.0.1', port: receiver.port, transport: 'tcp' });
    assert.equal(await store.export('syslog', sender), 2);
    await sender.close();
    await until(() => receiver.messages.length === 2);
    assert.match(receiver.messages[0]!, RFC5424);
    assert.ok(receiver.messages[1]!.includes('room.power.denied'));
    await receiver.close();
  });

  test('SyslogSender delivers over TLS (RFC 5425) to a receiver whose certificate it verifies', async () => {
    const receiver = await startReceiver(
      createTlsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }),
    );
    const sender = await SyslogSender.connect({
      host: '127.0.0.1',
      port: receiver.port,
      transport: 'tls',
      caFile: tls.certFile,
    });
    await store.export('syslog', sender);
    await sender.close();
    await until(() => receiver.messages.length === 2);
    assert.match(receiver.messages[0]!, RFC5424);
    await receiver.close();
  });

  test('octet counting frames by UTF-8 octets, not characters', () => {
    const message = formatSyslog({
      sequence: 3,
      at: new Date(0).toISOString(),
      atMs: 0,
      action: 'a',
      outcome: 'success',
      actor: 'éà',
      prevHash: '0',
      hash: '1',
    });
    const frame = Buffer.from(`${Buffer.byteLength(message)} ${message}`);
    assert.deepEqual(new OctetCountingDecoder().push(frame), [message]);
    assert.notEqual(Buffer.byteLength(message), message.length);
  });

  test('SyslogSender refuses a TLS receiver whose certificate it cannot verify', async () => {
    const receiver = await startReceiver(
      createTlsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }),
    );
    await assert.rejects(
      SyslogSender.connect({ host: '127.0.0.1', port: receiver.port, transport: 'tls' }),
      /self-signed|certificate/i,
    );
    assert.equal(receiver.messages.length, 0);
    await receiver.close();
  });
});
