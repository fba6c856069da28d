import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeXml, project, renderDocument, ticks, type Axis } from './svg-chart';

const linear: Axis = { label: 'x', kind: 'linear', min: 0, max: 50, format: String };
const log: Axis = { label: 'y', kind: 'log', min: 0.001, max: 100, format: String };

describe('project()', () => {
  it('maps linear and log domains onto pixels, clamping values outside', () => {
    assert.equal(project(linear, 25, 400), 200);
    assert.equal(project(log, 0.1, 500), 200);
    assert.equal(project(log, 0, 500), 0);
    assert.equal(project(linear, 80, 400), 400);
  });
});

describe('ticks()', () => {
  it('uses 1-2-5 steps on a linear axis and decades on a log axis', () => {
    assert.deepEqual(ticks(linear), [0, 10, 20, 30, 40, 50]);
    assert.deepEqual(ticks(log), [0.001, 0.01, 0.1, 1, 10, 100]);
  });
});

describe('renderDocument()', () => {
  it('draws each series as a polyline with markers and escapes every label', () => {
    const svg = renderDocument(600, 400, 'a <b> & c', [
      {
        title: 'room',
        left: 0,
        top: 30,
        width: 600,
        height: 370,
        x: linear,
        y: log,
        series: [
          {
            name: 'bare<mediasoup>',
            color: '#f00',
            markers: [{ x: 2, y: 0.01 }],
            line: [
              { x: 2, y: 0.01 },
              { x: 50, y: 1 },
            ],
          },
        ],
        guides: [{ y: 0.1, label: '0.1 %' }],
      },
    ]);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal(svg.match(/<polyline /g)?.length, 1);
    assert.equal(svg.match(/<circle /g)?.length, 1);
    assert.ok(svg.includes('a &lt;b&gt; &amp; c'));
    assert.ok(svg.includes('bare&lt;mediasoup&gt;'));
    assert.ok(!svg.includes('<b>'));
  });
});

describe('escapeXml()', () => {
  it('escapes the five XML special characters', () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
