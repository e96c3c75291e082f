// The explorer's data and arithmetic, in Node: the page's own decoder (lib/web/explorer_page.js) on the
// page's own bytes against the library's decoder, the quantisation, the size (`npm run explore` is
// test/explore_command.test.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DIGIT_COLORS,
  CB_TAYLOR, LOGIT_CLIP, MEAN_CLIP,
  buildExplorer, createVae, decodeLatents, encodeMeans, ExplorerMeta, float16Bits, makeConfig, quantizeColumns, readAndDispose, Rng, standardNormal, Trainer,
  trainRun, Vae,
} from '../lib/index';
import { realMnist, smallMnist, useBackend } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const page = require('../lib/web/explorer_page.js');

useBackend();

const BOUND = 0.02; // max |Δpixel| the README states for the page's decoder

/** The page's model, unpacked from the page's own bytes as the page does. */
function pageModel(html: string) {
  const meta = JSON.parse(/<script type="application\/json" id="explorer-meta">(.*?)<\/script>/s.exec(html)![1]) as ExplorerMeta;
  const data = /<script type="application\/octet-stream" id="explorer-data">(.*?)<\/script>/s.exec(html)![1];
  const unpacked = page.unpack(meta, new Uint8Array(Buffer.from(data, 'base64')));
  return { meta, ...unpacked, decode: page.createDecoder(unpacked.layers, meta.clip) as (z: Float32Array) => Float32Array };
}

function maxDiff(model: Vae, decode: (z: Float32Array) => Float32Array, z: Float32Array): number {
  const dimZ = model.config.dimZ;
  const ref = decodeLatents(model, z);
  let max = 0;
  for (let s = 0; s < z.length / dimZ; s++) {
    const got = decode(z.subarray(s * dimZ, (s + 1) * dimZ));
    for (let p = 0; p < 784; p++) max = Math.max(max, Math.abs(got[p] - ref[s * 784 + p]));
  }
  return max;
}

describe('the explorer page', () => {
  test('quantizeColumns: 8 bits with a scale per column, within half a step of each value', () => {
    const values = Float32Array.from([0.5, -2, 0, 0.25, 1, 0, -0.125, 0.003, 0]);
    const { q, scale } = quantizeColumns(values, 3, 3);
    expect(Array.from(scale)).toEqual([0.5 / 127, 2 / 127, 1].map(Math.fround)); // an all-zero column gets scale 1
    values.forEach((v, i) => expect(Math.abs(q[i] * scale[i % 3] - v)).toBeLessThanOrEqual(scale[i % 3] / 2 + 1e-9));
    expect(Math.max(...Array.from(q).map(Math.abs))).toBe(127);
  });

  test("the sliders' ranges: the prior's ±3, widened to the farthest test code, in whole numbers", () => {
    expect(page.sliderRanges(Float32Array.from([0.5, -4.2, 1, 2.9, -2, 3.01]), 3, 2)).toEqual([3, 5]);
    expect(page.sliderRanges(null, 0, 3)).toEqual([3, 3, 3]); // no encoder: the prior alone
  });

  test('float16Bits: IEEE half precision, nearest with ties to even; the page reads it back', () => {
    // Exact halves, a tie that rounds to even, the largest half, overflow, a subnormal, underflow, NaN.
    const values = Float32Array.from([0, -0, 1, -2.5, 65504, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000, 2 ** -24, 2 ** -26, -1e-3, NaN]);
    const bits = float16Bits(values);
    expect(Array.from(bits.subarray(0, 8), (b) => b.toString(16))).toEqual(['0', '8000', '3c00', 'c100', '7bff', '3c00', '3c02', '7c00']);
    const back = page.fromFloat16(bits) as Float32Array;
    expect(Array.from(back.subarray(0, 9))).toEqual([0, -0, 1, -2.5, 65504, 1, 1 + 2 ** -9, Infinity, 2 ** -24]);
    expect(back[9]).toBe(0);
    expect(Math.abs(back[10] - -1e-3)).toBeLessThanOrEqual(2 ** -11 * 1e-3);
    expect(back[11]).toBeNaN();
    // Relative error at most 2^-11 over the normal range.
    const rng = new Rng(5);
    const many = Float32Array.from({ length: 2000 }, () => (rng.next() - 0.5) * 10 ** (rng.next() * 8 - 4));
    const round = page.fromFloat16(float16Bits(many)) as Float32Array;
    many.forEach((v, i) => Math.abs(v) > 2 ** -14 && expect(Math.abs(round[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11));
  });

  let trained: Vae;
  beforeAll(async () => {
    const data = smallMnist(6000, 100);
    const config = makeConfig({ dimZ: 5, nHidden: 500, numEpochs: 1 });
    trained = createVae(config, 4);
    await new Trainer(trained, config, data).fit();
  }, 120000);
  afterAll(() => trained.dispose());

  test(`the page decodes as the library within ${BOUND} per pixel, at test codes and at draws from the prior`, () => {
    const test = smallMnist(10, 2000).test;
    const { html, meta } = buildExplorer({ model: trained, test, title: 't', description: 'd' });
    const p = pageModel(html);
    expect(meta.maxPixelError).toBeGreaterThan(0); // 8 bits are not float32
    expect(meta.maxPixelError).toBeLessThanOrEqual(BOUND);
    expect(meta.errorSamples).toBe(500);
    // Its own measurement, repeated here on the page's bytes, and on points it did not measure.
    const prior = readAndDispose(standardNormal([300, 5], new Rng(9)));
    expect(maxDiff(trained, p.decode, prior)).toBeLessThanOrEqual(BOUND);
    expect(maxDiff(trained, p.decode, p.codes!.subarray(0, 200 * 5))).toBeLessThanOrEqual(meta.maxPixelError + 1e-6);
    // The codes are E[z|x] of the test images, each within half a quantisation step.
    const mu = encodeMeans(trained, test.images);
    let worst = 0;
    mu.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - p.codes![i]))));
    expect(worst).toBeLessThan(0.05);
    expect(Array.from(p.labels!)).toEqual(Array.from(test.labels));
    expect(meta.testImages).toBe(2000);
    // The page's clip of means is the library's, written into the page: a page given another decodes by it.
    expect(meta.clip).toEqual({ mean: MEAN_CLIP, logit: LOGIT_CLIP, cbTaylor: CB_TAYLOR });
    const wide = page.createDecoder(p.layers, { ...meta.clip, mean: 0.1 })(prior.subarray(0, 5));
    expect(Math.min(...wide)).toBeCloseTo(0.1, 6);
    expect(Math.max(...wide)).toBeLessThanOrEqual(0.9 + 1e-7);
    // The digits' colours are the palette's (lib/plot/palette.ts), not a copy in the page.
    expect(meta.colors).toEqual(DIGIT_COLORS);
    expect(fs.readFileSync(require.resolve('../lib/web/explorer_page.js'), 'utf8')).not.toMatch(/#1f77b4/i);
  });

  test('the seed-sized model (n_hidden 500, dim_z 20) with the 10,000 test codes is under 2 MB, network-free', () => {
    const model = createVae(makeConfig({ dimZ: 20, nHidden: 500 }), 1);
    const { html, meta } = buildExplorer({ model, test: realMnist().test, title: 'seed', description: 'd', klPerDim: Array(20).fill(1) });
    model.dispose();
    expect(Buffer.byteLength(html)).toBeLessThan(2e6);
    expect(Buffer.byteLength(html)).toBeGreaterThan(0.6e6); // 652,000 weights at a byte each, in base64
    expect(meta.testImages).toBe(10000);
    expect(meta.layers.map((l) => [l.fanIn, l.fanOut, l.activation, l.weights])).toEqual([[20, 500, 'tanh', 'float32'], [500, 500, 'elu', 'int8'], [500, 784, 'sigmoid', 'float16']]);
    expect(html).not.toMatch(/\b(src|href)="?(https?:)?\/\//); // nothing fetched
  });

  test('an all-tanh continuous Bernoulli model: the page applies tanh twice and draws the continuous Bernoulli\'s means', async () => {
    const config = makeConfig({ dimZ: 3, nHidden: 64, activation: 'tanh', likelihood: 'continuous_bernoulli', numEpochs: 1 });
    const model = createVae(config, 3);
    await new Trainer(model, config, smallMnist(2000, 100)).fit();
    const { html, meta } = buildExplorer({ model, test: smallMnist(10, 300).test, title: 't', description: 'd' });
    expect(meta.layers.map((l) => l.activation)).toEqual(['tanh', 'tanh', 'cb_mean']);
    const p = pageModel(html);
    expect(meta.maxPixelError).toBeLessThanOrEqual(BOUND);
    const prior = readAndDispose(standardNormal([100, 3], new Rng(2)));
    expect(maxDiff(model, p.decode, prior)).toBeLessThanOrEqual(BOUND);
    // The continuous Bernoulli's means stay inside (0.054, 0.946): a background pixel is not black.
    const digit = p.decode(prior.subarray(0, 3));
    expect(Math.min(...digit)).toBeGreaterThan(0.05);
    model.dispose();
  });

  test('a run without an encoder: no codes, the bound measured at draws from the prior', () => {
    const model = createVae(makeConfig({ mode: 'no_encoder', dimZ: 3, nHidden: 64 }), 2);
    const { html, meta } = buildExplorer({ model, test: smallMnist(10, 50).test, title: 't', description: 'd' });
    const p = pageModel(html);
    expect(meta.testImages).toBe(0);
    expect(p.codes).toBeNull();
    expect(meta.maxPixelError).toBeLessThanOrEqual(BOUND);
    expect(maxDiff(model, p.decode, readAndDispose(standardNormal([50, 3], new Rng(1))))).toBeLessThanOrEqual(BOUND);
    model.dispose();
  });
});
