import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildMeetingApp, DEFAULT_APP_DIR } from '../src/app-build';
import { measureBundle, type Weight } from '../src/bundle-size';

/** Issue 12 §1: the sign-in page's initial JavaScript, compressed (1 kB = 1000 bytes). */
const SIGN_IN_BUDGET_GZIP_BYTES = 250_000;

describe('meeting client bundle', () => {
  let sizes: { signIn: Weight; meeting: Weight };
  before(async () => {
    await buildMeetingApp(DEFAULT_APP_DIR);
    sizes = await measureBundle(DEFAULT_APP_DIR);
  });

  it('the sign-in page loads at most 250 kB of JavaScript gzip-compressed before it runs', () => {
    assert.ok(
      sizes.signIn.gzipBytes <= SIGN_IN_BUDGET_GZIP_BYTES,
      `sign-in initial JavaScript is ${sizes.signIn.gzipBytes} bytes gzipped (${sizes.signIn.files.join(', ')})`,
    );
  });

  it('the sign-in page does not load mediasoup-client, MLS or the frame encryption before the meeting screens', async () => {
    const initial = (
      await Promise.all(sizes.signIn.files.map((file) => readFile(join(DEFAULT_APP_DIR, file), 'utf8')))
    ).join('\n');
    const meeting = sizes.meeting.files.filter((file) => !sizes.signIn.files.includes(file));
    assert.ok(meeting.length > 0, 'the meeting screens are a chunk of their own');
    const lazy = (
      await Promise.all(meeting.map((file) => readFile(join(DEFAULT_APP_DIR, file), 'utf8')))
    ).join('\n');
    // Strings only these libraries carry (kept by the minifier): mediasoup-client, ts-mls, our SFrame key schedule.
    for (const marker of ['createSendTransport', 'mls10', 'SFrame 1.0']) {
      assert.ok(lazy.includes(marker), `${marker} is in the meeting chunks`);
      assert.ok(!initial.includes(marker), `${marker} is not in the sign-in page's initial JavaScript`);
    }
  });

  it('index.html loads the entry as a module script from this origin', async () => {
    const html = await readFile(join(DEFAULT_APP_DIR, 'index.html'), 'utf8');
    assert.match(html, /<script type="module" src="\/client\.js"><\/script>/);
    assert.ok(sizes.signIn.files.includes('client.js'));
  });
});
