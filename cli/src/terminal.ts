import { UsageError } from './command';

/** Reads a secret from the terminal without echoing it; with `confirm`, asks twice and compares. */
export async function readPassphraseFromTerminal(prompt: string, confirm: boolean): Promise<string> {
  if (!process.stdin.isTTY)
    throw new UsageError('no terminal to read the passphrase from: give --passphrase-file <file>');
  const first = await readHidden(prompt);
  if (confirm && (await readHidden('again: ')) !== first) throw new UsageError('the two passphrases differ');
  return first;
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error !== undefined) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new UsageError('interrupted'));
        if (char === '\u007f') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}
