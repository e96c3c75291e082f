// A run's directory name, spelled from its configuration (no tfjs: the command line names a
// run's default --results_path while parsing its flags).
import { defaultConfig, VaeConfig } from '../core/config';

/**
 * A short directory name that spells out a configuration; settings at their defaults that runs
 * were named without (activation, dropout, likelihood, binarization, warm-up) add nothing, so names stay.
 */
export function runName(c: VaeConfig): string {
  const likelihood = c.likelihood === 'continuous_bernoulli' ? '_cb' : '';
  const data = c.binarize === 'none' ? '' : `_bin${c.binarize === 'dynamic' ? 'dyn' : 'stat'}`;
  const warmup = c.klWarmup ? `_warm${c.klWarmup}` : '';
  const net = `${c.activation === 'tanh' ? '_tanh' : ''}${c.keepProb === defaultConfig.keepProb ? '' : `_keep${c.keepProb}`}`;
  return `${c.mode}_z${c.dimZ}_h${c.nHidden}${net}_beta${c.klBeta}${warmup}${c.addNoise ? '_noise' : ''}${likelihood}${data}` +
    `_e${c.numEpochs}_b${c.batchSize}_lr${c.learnRate}_s${c.seed}`;
}
