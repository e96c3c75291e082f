// The explorer: a run's decoder in a web page of its own (no server, no network, no kernel), built
// from a model: its decoder's weights stored small and the test images' codes E[z|x] in 8 bits
// (lib/web/explorer_codec.ts), laid into the page (explorer_template.ts) that
// lib/web/explorer_page.js runs. The page's own decoder is run here against the library's, and the
// largest pixel difference is written into the page. writeExplorer writes the file.
import * as path from 'path';
import { DIM_IMG, Split } from '../core/data';
import { decodeLatents, encodeMeans, readAndDispose } from '../core/evaluate';
import { writeFileAtomic } from '../runs/files';
import { ModelConfig } from '../core/config';
import { CB_TAYLOR, LOGIT_CLIP, MEAN_CLIP } from '../core/likelihood';
import { hiddenActivations, Vae } from '../core/model';
import { standardNormal } from '../core/random';
import { Rng } from '../core/rng';
import { readMetrics, readRunConfig, readRunSummary, RUN_FILES } from '../runs/rundir';
import { describeRun } from '../runs/summary';
import { DIGIT_COLORS } from '../plot/palette';
import { DECODER_WEIGHTS, ExplorerMeta, float16Bits, pack, PageActivation, Part, quantizeColumns } from './explorer_codec';
import { pageHtml } from './explorer_template';

// The page's script, also used here to measure what the page computes.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const page = require('./explorer_page.js') as {
  unpack(meta: ExplorerMeta, bytes: Uint8Array): { layers: unknown[]; codes: Float32Array | null; labels: Uint8Array | null };
  createDecoder(layers: unknown[], clip: ExplorerMeta['clip']): (z: Float32Array) => Float32Array;
};

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
    maxPixelError: NaN, errorSamples: 0, layers, colors: DIGIT_COLORS, clip: { mean: MEAN_CLIP, logit: LOGIT_CLIP, cbTaylor: CB_TAYLOR }, segments,
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
