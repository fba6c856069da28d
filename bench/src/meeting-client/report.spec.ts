import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abbaOrder } from './interface-cpu';
import { median } from './join-timing';
import { headline, plot, type MeetingClientResults } from './report';

const weight = (gzipBytes: number) => ({
  files: ['client.js'],
  bytes: gzipBytes * 3,
  gzipBytes,
  brotliBytes: gzipBytes - 20_000,
});

describe('meeting client benchmark report', () => {
  it('abbaOrder() runs the meeting client, then the minimal page twice, then the client again, per round', () => {
    assert.deepEqual(abbaOrder(1), ['interface', 'minimal', 'minimal', 'interface']);
    assert.equal(abbaOrder(2).length, 8);
  });

  it('median() takes the middle value, or the mean of the two middle ones', () => {
    assert.equal(median([900, 300, 500]), 500);
    assert.equal(median([400, 100, 300, 200]), 250);
  });

  it('headline() gives the figures in kB and ms with whether each meets its target, null when not measured', () => {
    const results: MeetingClientResults = {
      bundle: { signIn: weight(174_426), meeting: weight(274_138) },
      join: { trials: [], medianFromEnterMs: 900, medianFromPageLoadMs: 1600 },
      cpu: null,
    };
    const figures = headline(results);
    assert.equal(figures.sign_in_initial_js_gzip_kb, 174.4);
    assert.equal(figures.meeting_initial_js_gzip_kb, 274.1);
    assert.deepEqual(figures.meets_targets, {
      sign_in_initial_js_gzip_kb: true,
      join_to_first_decrypted_frame_ms: true,
      page_load_to_first_decrypted_frame_ms: false,
      interface_cpu_ratio: null,
    });
  });

  it('plot() draws an SVG with the three panels and the targets', () => {
    const svg = plot(
      { bundle: { signIn: weight(174_000), meeting: weight(274_000) }, join: null, cpu: null },
      'run',
    );
    assert.match(svg, /^<svg /);
    for (const text of [
      'Initial JavaScript',
      'Join → first decrypted remote frame',
      'Chromium CPU',
      '250 kB target',
    ])
      assert.ok(svg.includes(text), text);
  });
});
