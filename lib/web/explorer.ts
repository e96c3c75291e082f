// The explorer: a run's decoder in a web page of its own (no server, no network, no kernel). The
// decoder's weights are stored small (DECODER_WEIGHTS), the test images' codes E[z|x] in 8 bits
// with a scale per dimension; lib/web/explorer_page.js unpacks them and decodes in the page.
// The page's own decoder is run here against the library's on test codes, and the largest pixel
// difference is written into the page. Returns strings and numbers; writeExplorer writes the file.
import * as fs from 'fs';
import * as path from 'path';
import { DIM_IMG, Split } from '../core/data';
import { decodeLatents, encodeMeans, readAndDispose } from '../core/evaluate';
import { writeFileAtomic } from '../runs/files';
import { escapeXml } from '../plot/images';
import { ModelConfig } from '../core/config';
import { CB_TAYLOR, LOGIT_CLIP, MEAN_CLIP } from '../core/likelihood';
import { hiddenActivations, Vae } from '../core/model';
import { standardNormal } from '../core/random';
import { Rng } from '../core/rng';
import { readMetrics, readRunConfig, readRunSummary, RUN_FILES } from '../runs/rundir';
import { describeRun } from '../runs/summary';

// The page's script, also used here to measure what the page computes.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const page = require('./explorer_page.js') as {
  unpack(meta: ExplorerMeta, bytes: Uint8Array): { layers: unknown[]; codes: Float32Array | null; labels: Uint8Array | null };
  createDecoder(layers: unknown[], clip: ExplorerMeta['clip']): (z: Float32Array) => Float32Array;
};
const PAGE_SCRIPT = path.join(__dirname, 'explorer_page.js');

/** int8 values and one scale per column (max |column| / 127) of a rows x cols row-major matrix. */
export function quantizeColumns(values: Float32Array, rows: number, cols: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) scale[j] = Math.max(scale[j], Math.abs(values[i * cols + j]));
  for (let j = 0; j < cols; j++) scale[j] = scale[j] > 0 ? scale[j] / 127 : 1;
  const q = new Int8Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) q[i * cols + j] = Math.round(values[i * cols + j] / scale[j]);
  return { q, scale };
}

/**
 * IEEE 754 half-precision bit patterns of float32 values, rounded to nearest (ties to even);
 * beyond ±65504 they become ±Infinity, below 2^-24 zero.
 */
export function float16Bits(values: Float32Array): Uint16Array {
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000, exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    let shift = 13, base = sign | (e << 10);
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000; // the implicit 1, now explicit in a subnormal
      shift = 14 - e;
      base = sign;
    }
    let half = base | (mant >>> shift);
    const rest = mant & ((1 << shift) - 1), halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half++; // a carry rolls into the exponent, as it should
    out[i] = half;
  }
  return out;
}

/**
 * How each decoder layer's weights travel, chosen by measurement (scratch runs on the 13 notebook
 * models, max |Δpixel| at 1,000 test codes): all 8-bit gave up to 0.037, the output layer
 * (n_hidden x 784, most of the weights) in 8 bits alone 0.032, the first layer (dim_z x n_hidden,
 * small) 0.032 for a vanilla autoencoder, whose codes reach ±20; so the first layer stays
 * float32, the 500 x 500 middle one is 8-bit, the output layer float16 (≤ 0.01 in all).
 */
export const DECODER_WEIGHTS = ['float32', 'int8', 'float16'] as const;
export type WeightFormat = (typeof DECODER_WEIGHTS)[number];

type SegmentType = 'int8' | 'uint8' | 'float32' | 'float16';
interface Segment {
  type: SegmentType;
  offset: number; // bytes
  length: number; // elements
}

export interface ExplorerMeta {
  title: string;
  description: string; // a line on the run: mode, size, epochs, test numbers
  dimZ: number;
  testImages: number; // codes and labels held (0 for a run without an encoder)
  klPerDim: number[] | null; // the last epoch's test KL per latent dimension (vae mode)
  interpolationSteps: number;
  maxPixelError: number; // measured: page decoder vs library decoder, max |Δ| over `errorSamples` points
  errorSamples: number;
  layers: { fanIn: number; fanOut: number; activation: PageActivation; weights: WeightFormat }[];
  clip: { mean: number; logit: number; cbTaylor: number }; // lib/core/likelihood.ts's, for the page's decoder
  segments: Record<string, Segment>;
}

/** Typed arrays laid end to end (each aligned to 4 bytes), and where each one is. */
type Part = Int8Array | Uint8Array | Uint16Array | Float32Array;

function pack(parts: Record<string, Part>): { bytes: Uint8Array; segments: Record<string, Segment> } {
  const segments: Record<string, Segment> = {};
  let offset = 0;
  for (const [name, a] of Object.entries(parts)) {
    const type: SegmentType = a instanceof Int8Array ? 'int8' : a instanceof Uint8Array ? 'uint8' : a instanceof Uint16Array ? 'float16' : 'float32';
    segments[name] = { type, offset, length: a.length };
    offset += Math.ceil(a.byteLength / 4) * 4;
  }
  const bytes = new Uint8Array(offset);
  for (const [name, a] of Object.entries(parts)) bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), segments[name].offset);
  return { bytes, segments };
}

export interface ExplorerInput {
  model: Vae;
  test: Split; // its codes and labels go into the page (modes with an encoder)
  title: string;
  description: string;
  klPerDim?: number[];
}

export interface Explorer {
  html: string;
  meta: ExplorerMeta;
}

const ERROR_SAMPLES = 500;
/** What the page applies after each decoder layer: the hidden layers' activations, then the means of p(x|z) (sigmoid: Bernoulli; cb_mean: continuous Bernoulli). */
type PageActivation = 'tanh' | 'elu' | 'sigmoid' | 'cb_mean';

function pageActivations(c: ModelConfig): PageActivation[] {
  return [...(hiddenActivations(c.activation).decoder as PageActivation[]), c.likelihood === 'continuous_bernoulli' ? 'cb_mean' : 'sigmoid'];
}

/** The explorer page of a model, and what it measured of itself. */
export function buildExplorer({ model, test, title, description, klPerDim }: ExplorerInput): Explorer {
  const { dimZ, mode } = model.config;
  const activations = pageActivations(model.config);
  const parts: Record<string, Part> = {};
  const layers = model.decoder.map((l, i) => {
    const [fanIn, fanOut] = l.w.shape;
    const w = Float32Array.from(l.w.dataSync());
    const weights = DECODER_WEIGHTS[i];
    if (weights === 'int8') {
      const { q, scale } = quantizeColumns(w, fanIn, fanOut);
      parts[`w${i}`] = q;
      parts[`wScale${i}`] = scale;
    } else {
      parts[`w${i}`] = weights === 'float16' ? float16Bits(w) : w;
    }
    parts[`b${i}`] = Float32Array.from(l.b.dataSync());
    return { fanIn, fanOut, activation: activations[i], weights };
  });
  let codes: Float32Array | null = null;
  if (mode !== 'no_encoder') {
    codes = encodeMeans(model, test.images.subarray(0, test.n * DIM_IMG));
    const c = quantizeColumns(codes, test.n, dimZ);
    parts.codes = c.q;
    parts.codeScale = c.scale;
    parts.labels = test.labels.subarray(0, test.n);
  }
  const { bytes, segments } = pack(parts);
  const meta: ExplorerMeta = {
    title, description, dimZ, testImages: codes ? test.n : 0, klPerDim: klPerDim ?? null, interpolationSteps: 10,
    maxPixelError: NaN, errorSamples: 0, layers, clip: { mean: MEAN_CLIP, logit: LOGIT_CLIP, cbTaylor: CB_TAYLOR }, segments,
  };
  // What the page draws against what the library decodes, at the page's own (quantised) codes,
  // or at draws from the prior for a run without an encoder.
  const unpacked = page.unpack(meta, bytes);
  const decode = page.createDecoder(unpacked.layers, meta.clip);
  const samples = Math.min(ERROR_SAMPLES, unpacked.codes ? test.n : ERROR_SAMPLES);
  const z = new Float32Array(samples * dimZ);
  if (unpacked.codes) {
    for (let s = 0; s < samples; s++) z.set(unpacked.codes.subarray(Math.floor((s * test.n) / samples) * dimZ).subarray(0, dimZ), s * dimZ);
  } else {
    z.set(readAndDispose(standardNormal([samples, dimZ], new Rng(0))));
  }
  const reference = decodeLatents(model, z);
  let maxError = 0;
  for (let s = 0; s < samples; s++) {
    const got = decode(z.subarray(s * dimZ, (s + 1) * dimZ));
    for (let p = 0; p < DIM_IMG; p++) maxError = Math.max(maxError, Math.abs(got[p] - reference[s * DIM_IMG + p]));
  }
  meta.maxPixelError = maxError;
  meta.errorSamples = samples;
  return { html: pageHtml(meta, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')), meta };
}

const WEIGHT_WORDS: Record<WeightFormat, string> = { float32: '32 bits', int8: '8 bits with a scale per column', float16: '16 bits' };

/** JSON safe inside a <script>. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

function pageHtml(meta: ExplorerMeta, data: string): string {
  const plane = meta.dimZ === 2
    ? `<section class="plane"><h2>The latent plane</h2><canvas id="plane" width="340" height="340"></canvas><div id="legend"></div>
<p class="note">${meta.testImages ? `The ${meta.testImages.toLocaleString('en-US')} test images at their codes E[z|x], by digit. ` : ''}Move the mouse over the plane: the digit decodes the point under it.</p></section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(meta.title)} — VAE explorer</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 12px; color: #222; max-width: 960px; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 14px 0 6px; }
.row { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
#digit { width: 224px; height: 224px; image-rendering: pixelated; border: 1px solid #888; }
#sliders { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 2px 14px; max-height: 360px; overflow-y: auto; min-width: 260px; flex: 1; }
.slider { display: grid; grid-template-columns: 70px 1fr 44px; align-items: center; font-size: 12px; }
.slider input { width: 100%; } .kl { color: #777; font-size: 11px; } output { font-variant-numeric: tabular-nums; text-align: right; }
#message { color: #b00; min-height: 1.2em; margin: 4px 0; } .note, #picked, #zText { color: #555; font-size: 12px; }
#zText { max-width: 224px; word-break: break-all; } input[type=number] { width: 70px; }
#strip { image-rendering: pixelated; border: 1px solid #888; max-width: 100%; }
#plane { border: 1px solid #888; cursor: crosshair; } #legend span { margin-right: 8px; font-size: 12px; }
#legend i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; vertical-align: middle; }
</style></head>
<body>
<h1>${escapeXml(meta.title)}</h1>
<p class="note">${escapeXml(meta.description)}</p>
<div class="controls">
  test image <input id="index" type="number" min="0" max="${Math.max(0, meta.testImages - 1)}" step="1" value="0">
  <button id="go">decode its code</button> <button id="random">a random one</button> <button id="zero">z = 0</button>
</div>
<p id="message" role="alert"></p>
<div class="row">
  <div><canvas id="digit" width="224" height="224"></canvas><div id="picked"></div><div id="zText"></div></div>
  <div id="sliders"></div>
  ${plane}
</div>
<h2>Interpolation (linear in z)</h2>
<div>from test image <input id="from" type="number" min="0" value="0"> to <input id="to" type="number" min="0" value="1">
<button id="interpolate">interpolate</button></div>
<canvas id="strip" width="${meta.interpolationSteps * 56}" height="56"></canvas>
<p class="note">The decoder runs in this page: its weights are stored in ${meta.layers.map((l) => WEIGHT_WORDS[l.weights]).join(', ')} (layer by layer), the codes in 8 bits.
Measured when the page was written: the largest difference from the full-precision decoder is ${meta.maxPixelError.toFixed(4)}
(pixel values in [0, 1]) over ${meta.errorSamples} latent points. Written by vae-mnist-ts.</p>
<script type="application/json" id="explorer-meta">${scriptJson(meta)}</script>
<script type="application/octet-stream" id="explorer-data">${data}</script>
<script>${fs.readFileSync(PAGE_SCRIPT, 'utf8').replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
}

/** Writes the explorer into run directory `dir` as explorer.html; returns it, its path and size and what it measured. */
export function writeExplorer(dir: string, input: ExplorerInput): WrittenExplorer {
  const { html, meta } = buildExplorer(input);
  const file = path.join(dir, RUN_FILES.explorer);
  writeFileAtomic(file, html);
  return { html, meta, file, bytes: Buffer.byteLength(html) };
}

export interface WrittenExplorer extends Explorer {
  file: string;
  bytes: number;
}

/**
 * The explorer of the finished (or stopped) run in `dir`, whose model is `model`: titled after the
 * directory, described by its record (config.json, summary.json), with the last epoch's KL per
 * dimension (metrics.jsonl), the codes of `test`. Written as dir/explorer.html.
 */
export function writeRunExplorer(dir: string, model: Vae, test: Split): WrittenExplorer {
  const info = readRunConfig(dir);
  const summary = readRunSummary(dir);
  const history = readMetrics(dir);
  const c = model.config;
  const description = summary
    ? describeRun(info, summary).replace('\n', '; ')
    : `${c.mode}, dim_z ${c.dimZ}, n_hidden ${c.nHidden}, ${history.length} epoch${history.length === 1 ? '' : 's'} (not finished)`;
  return writeExplorer(dir, {
    model, test, title: path.basename(path.resolve(dir)), description, klPerDim: history[history.length - 1]?.test.klPerDim,
  });
}
