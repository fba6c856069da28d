/**
 * Benchmark only: the meeting page with E2EE off, for the CPU comparison in bench/src/e2ee/cpu-ratio.ts.
 * It joins and publishes as the product page's Meeting does, through the same SignallingClient and Conference,
 * and shows the same tiles; the differences are the transform worker (identity-worker.ts, frames unchanged) and
 * no E2eeSession (no MLS). It cannot use `joinMeeting`: a Meeting has no way to run without E2EE, by design.
 * Nothing here is served by the product.
 *
 * URL: https://…/plain.html#sfu=<wss url>&ticket=<join ticket>[&publish=audio,video][&video=WxH]
 */
import { Conference, SignallingClient } from '@conclave/client';
// The product page's own tiles (app.css sizes them), so both arms paint the same pixels.
import { publishLocalMedia } from '../../../../services/web/src/app/local-media';
import { hideTrack, showTrack } from '../../../../services/web/src/app/tiles';

interface PlainPageState {
  /** Same name as on the product page, so the benchmark reads stats from both pages the same way. */
  conference?: Conference;
  error?: string;
}

const state: PlainPageState = {};
(window as unknown as { conclave: PlainPageState }).conclave = state;

const $ = (id: string) => document.getElementById(id)!;

async function main(): Promise<void> {
  const params = new URLSearchParams(location.hash.slice(1));
  const sfu = params.get('sfu');
  const ticket = params.get('ticket');
  if (sfu === null || ticket === null) throw new Error('no sfu or ticket in the fragment');
  history.replaceState(null, '', location.pathname);
  const worker = new Worker('/identity-worker.js');
  const signalling = await SignallingClient.connect(new WebSocket(sfu));
  const hello = await signalling.hello(ticket);
  const conference = new Conference(signalling, hello, worker);
  state.conference = conference;
  conference.on('trackAdded', (track) => showTrack(track));
  conference.on('trackRemoved', hideTrack);
  await conference.start();
  await publishLocalMedia(conference, params);
  $('status').textContent = `in meeting ${hello.roomId} (benchmark page, E2EE off)`;
}

main().catch((error: unknown) => {
  state.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  $('status').textContent = `error: ${state.error}`;
});
