// A run's directory name, spelled from its configuration (no tfjs: the command line names a
// run's default --results_path while parsing its flags).
import { defaultConfig, VaeConfig } from '../core/config';

/**
 * A short directory name that spells out a configuration; settings at their defaults that runs
 * were named without (activation, dropout, likelihood, binarization, warm-up, arch, samples, schedule) add nothing, so names stay.
 */
export function runName(c: VaeConfig): string {
  const likelihood = c.likelihood === 'continuous_bernoulli' ? '_cb' : '';
  const data = c.binarize === 'none' ? '' : `_bin${c.binarize === 'dynamic' ? 'dyn' : 'stat'}`;
  const warmup = c.klWarmup ? `_warm${c.klWarmup}` : '';
  const net = `${c.activation === 'tanh' ? '_tanh' : ''}${c.keepProb === defaultConfig.keepProb ? '' : `_keep${c.keepProb}`}`;
  const arch = c.arch === 'burda' ? '_burda' : '';
  const samples = (c.iwK ?? 1) > 1 ? `_iw${c.iwK}` : (c.elboK ?? 1) > 1 ? `_elbo${c.elboK}` : '';
  const schedule = c.learnRateSchedule === 'burda' ? 'burda' : '';
  return `${c.mode}_z${c.dimZ}_h${c.nHidden}${net}${arch}_beta${c.klBeta}${warmup}${samples}${c.addNoise ? '_noise' : ''}${likelihood}${data}` +
    `_e${c.numEpochs}_b${c.batchSize}_lr${c.learnRate}${schedule}_s${c.seed}`;
}
