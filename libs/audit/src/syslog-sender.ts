import { readFileSync } from 'node:fs';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { AuditExportSink } from './audit-store';

export interface SyslogTarget {
  host: string;
  port: number;
  /** `tls` is RFC 5425; `tcp` is RFC 6587 with the same octet-counting framing. */
  transport: 'tcp' | 'tls';
  /** CA bundle the receiver's certificate is verified against (TLS). */
  caFile?: string;
  /** Client certificate and key for mutual TLS, when the receiver asks for one. */
  certFile?: string;
  keyFile?: string;
  /** Name checked in the receiver's certificate; `host` by default. */
  serverName?: string;
  connectTimeoutMs?: number;
}

/**
 * Sends syslog messages to a receiver over TCP or TLS, framed by octet counting (RFC 5425 §4.3:
 * `MSG-LEN SP SYSLOG-MSG`, the length in octets of the UTF-8 message). TLS always verifies the receiver.
 */
export class SyslogSender implements AuditExportSink {
  private constructor(private readonly socket: Socket | TLSSocket) {}

  static async connect(target: SyslogTarget): Promise<SyslogSender> {
    const timeout = target.connectTimeoutMs ?? 5000;
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      let s: Socket | TLSSocket;
      if (target.transport === 'tls') {
        s = connectTls(
          {
            host: target.host,
            port: target.port,
            // SNI carries names only (RFC 6066 §3); an IP address is still checked against the certificate.
            ...(target.serverName !== undefined || isIP(target.host) === 0
              ? { servername: target.serverName ?? target.host }
              : {}),
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
            ...(target.caFile !== undefined ? { ca: readFileSync(target.caFile) } : {}),
            ...(target.certFile !== undefined ? { cert: readFileSync(target.certFile) } : {}),
            ...(target.keyFile !== undefined ? { key: readFileSync(target.keyFile) } : {}),
          },
          () => resolve(s),
        );
      } else {
        s = connectTcp({ host: target.host, port: target.port }, () => resolve(s));
      }
      s.setTimeout(timeout, () =>
        s.destroy(new Error(`syslog receiver ${target.host}:${target.port} did not answer in ${timeout} ms`)),
      );
      s.once('error', onError);
    });
    socket.setTimeout(0);
    return new SyslogSender(socket);
  }

  async write(message: string): Promise<void> {
    const bytes = Buffer.from(message, 'utf8');
    const frame = Buffer.concat([Buffer.from(`${bytes.byteLength} `, 'ascii'), bytes]);
    await new Promise<void>((resolve, reject) =>
      this.socket.write(frame, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Flushes what was written and closes the connection. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}

/** Splits an octet-counted stream back into messages (for receivers and tests). */
export class OctetCountingDecoder {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const messages: string[] = [];
    for (;;) {
      const space = this.buffer.indexOf(0x20);
      if (space <= 0) break;
      const length = Number(this.buffer.subarray(0, space).toString('ascii'));
      if (!Number.isInteger(length) || length <= 0) throw new Error('bad octet-counting frame');
      if (this.buffer.byteLength < space + 1 + length) break;
      messages.push(this.buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(space + 1 + length);
    }
    return messages;
  }
}
