import { createWriteStream, type WriteStream } from 'node:fs';
import type { AuditExportSink } from './audit-store';

/** Writes one line per record to a file (created owner-only, appended to when it exists). */
export class FileExportSink implements AuditExportSink {
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  }

  async write(line: string): Promise<void> {
    const more = this.stream.write(`${line}\n`);
    if (!more) await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}
