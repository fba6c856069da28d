/**
 * Auditor's checker for SFrame test vectors (RFC 9605 Appendix C schema, see vectors.ts):
 *   npm run --silent sframe:check -- <file.json>
 * For each case it derives the key and salt (compared with the file's when given), encrypts and compares with
 * `ct`, decrypts and compares with `pt`, and makes sure ciphertexts with a flipped bit are refused. Prints one
 * line per failing case, then "N passed, M failed". Exit 0 if all pass, 1 if any fails, 2 if the file cannot be
 * read or is not of the schema.
 */
import { readFileSync } from 'node:fs';
import { VectorFormatError, type VectorCase, checkVectors, parseVectors } from './vectors';

const USAGE = 'usage: npm run --silent sframe:check -- <vectors.json>';

function fail(message: string): never {
  console.error(`sframe:check: ${message}`);
  process.exit(2);
}

async function main(argv: readonly string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  if (args.length !== 1 || args[0].startsWith('-')) fail(USAGE);
  const file = args[0];

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    fail(`cannot read ${file} (${reason})`);
  }
  let cases: VectorCase[];
  try {
    cases = parseVectors(text);
  } catch (err) {
    if (err instanceof VectorFormatError) fail(`${file} is not an SFrame vectors file: ${err.message}`);
    throw err;
  }

  const results = await checkVectors(cases);
  let failed = 0;
  for (const r of results) {
    if (r.failures.length === 0) continue;
    failed++;
    console.log(`FAIL ${r.name}: ${r.failures.join('; ')}`);
  }
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => fail(`internal error: ${err instanceof Error ? err.message : String(err)}`),
);
