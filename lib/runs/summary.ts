// The summary of a finished run (summary.json): the estimators run once at the end (IS
// log-likelihood, active units) beside the last epoch's test numbers, and the run's record in
// words, as the command line and the notebooks print it.
import { Split } from '../core/data';
import { Binarize } from '../core/config';
import { activeUnits, importanceSampledLogLikelihood } from '../core/estimators';
import { Vae } from '../core/model';
import { RunInfo, RunSummary } from './rundir';
import { runUnits } from '../core/units';
import { EpochMetrics } from '../core/train';

/**
 * Estimates IS log-likelihood and active units of a trained model and assembles its summary, in
 * nats and bits/dim, labelled with what the numbers are (no finishedAt: the caller knows when
 * training ended). `test` is the test split as the run saw it (binarized under --binarize).
 */
export function summarizeRun(model: Vae, test: Split, history: EpochMetrics[], isK: number, seed = 0, binarize: Binarize = 'none'): RunSummary {
  const last = history[history.length - 1];
  const mode = model.config.mode;
  const t = last?.test ?? { loss: NaN, recon: NaN, kl: NaN };
  const isLogLikelihood = isK > 0 && mode !== 'vanilla_ae' ? { k: isK, value: importanceSampledLogLikelihood(model, test, { k: isK, seed }) } : null;
  const { units, bitsPerDim } = runUnits({ ...model.config, binarize }, t, isLogLikelihood);
  return {
    epochs: last?.epoch ?? 0,
    test: t,
    units,
    isLogLikelihood,
    bitsPerDim,
    // The last epoch measured them on the same model and test set (runs from before it did: measured here).
    activeUnits: mode === 'no_encoder' ? null : (last?.test.activeUnits ?? activeUnits(model, test).count),
    ...(last?.testBound ? { testBound: last.testBound } : {}),
    secondsPerEpoch: history.length ? history.reduce((s, m) => s + m.seconds, 0) / history.length : NaN,
  };
}

const when = (iso: string | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'at an unrecorded time');

/**
 * A finished run in two lines: when and how it was trained (epochs, images, s/epoch, engine,
 * runs sharing the machine) and its final test numbers, labelled with what they are: the objective
 * and its parts, IS -log p(x) (nats, lower is better; and bits/dim) and active units.
 */
export function describeRun(info: RunInfo, summary: RunSummary): string {
  const c = info.config;
  const images = info.images ? `${info.images.train.toLocaleString('en-US')} training images` : 'training images not recorded';
  const engine = info.backend ? `, ${info.backend}${info.nativeKernels ? ' + native kernels' : ''}` : '';
  const shared = info.concurrentRuns && info.concurrentRuns > 1 ? `, ${info.concurrentRuns} runs at a time` : '';
  const t = summary.test;
  const objective = c.mode === 'vae'
    ? `${c.klBeta === 1 ? '−ELBO' : `recon + ${c.klBeta}·KL`} ${t.loss.toFixed(2)} (reconstruction ${t.recon.toFixed(2)}, KL ${t.kl.toFixed(2)})`
    : `reconstruction ${t.recon.toFixed(2)}`;
  const bound = summary.testBound ? `−L_${summary.testBound.k} ${summary.testBound.value.toFixed(2)} (the bound trained on); ` : '';
  const bits = summary.bitsPerDim?.is != null ? ` = ${summary.bitsPerDim.is.toFixed(4)} bits/dim` : '';
  const is = summary.isLogLikelihood ? `; −log p(x) ${(-summary.isLogLikelihood.value).toFixed(2)}${bits} (IS, k = ${summary.isLogLikelihood.k})` : '';
  const au = summary.activeUnits !== null ? `; active units ${summary.activeUnits}/${c.dimZ}` : '';
  const units = summary.units ? ` (nats per image, ${summary.units})` : '';
  return (
    `trained ${summary.finishedAt ? `until ${when(summary.finishedAt)}` : `from ${when(info.startedAt)}`}: ${summary.epochs} epoch${summary.epochs === 1 ? '' : 's'} on ${images}, ${summary.secondsPerEpoch.toFixed(1)} s/epoch${engine}${shared}\n` +
    `test${units}: ${bound}${objective}${is}${au}`
  );
}
