import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StormResult } from './run-storm';
import { renderStormPlot, stormHeadline } from './storm-report';

function storm(joiners: number, keyedMsAfterLastArrival: number, epochs: number): StormResult {
  return {
    joiners,
    arrivalMs: 5000,
    arrivalSpreadMs: 5000,
    keyedMsAfterLastArrival,
    epochs,
    epochsAllowed: 50,
    commitBytes: 1000,
    welcomeBytes: 10_000,
    welcomes: epochs,
    deliveredBytes: 50_000,
    addProposalsToHost: joiners,
    hostEpochs: [],
    lastKeyed: 'joiner0',
    processCpuMs: 1000,
    cpuShare: 0.5,
  };
}

describe('stormHeadline', () => {
  it('stormHeadline() takes the N = 100 figures and meets the targets when keyed within 3 s in ≤ 50 epochs', () => {
    const headline = stormHeadline([storm(25, 900, 8), storm(100, 2500, 20)]);
    assert.equal(headline.join_storm_keyed_ms_after_last_at_100, 2500);
    assert.equal(headline.join_storm_epochs_at_100, 20);
    assert.equal(headline.meets_targets, true);
  });

  it('stormHeadline() gives null figures without N = 100 and misses the targets when a storm used too many epochs', () => {
    const headline = stormHeadline([storm(25, 900, 51)]);
    assert.equal(headline.join_storm_keyed_ms_after_last_at_100, null);
    assert.equal(headline.join_storm_epochs_at_100, null);
    assert.equal(headline.meets_targets, false);
  });

  it('stormHeadline() of a quick run within its epochs says the targets are not known (null), not met', () => {
    assert.equal(stormHeadline([storm(10, 300, 5), storm(25, 900, 8)]).meets_targets, null);
  });

  it('stormHeadline() misses the targets when N = 100 took over 3 s after the last arrival', () => {
    assert.equal(stormHeadline([storm(100, 3001, 20)]).meets_targets, false);
  });
});

describe('renderStormPlot', () => {
  it('renderStormPlot() draws both panels with the 3 s target line', () => {
    const svg = renderStormPlot('storms', [storm(25, 900, 8), storm(100, 2500, 20)]);
    assert.match(svg, /^<svg /);
    assert.match(svg, /Keyed after the last arrival/);
    assert.match(svg, /Epochs \(commits\) for the storm/);
    assert.match(svg, /3 s target/);
  });
});
