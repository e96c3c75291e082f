// Training progress for the command line: a progress bar (steps, loss, ETA) on a terminal, a
// plain line every tenth of an epoch otherwise (CI logs), and the original's per-epoch summary.
import { SingleBar } from 'cli-progress';
import { VaeConfig } from '../lib/core/config';
import { EpochMetrics, StepInfo } from '../lib/core/train';

export interface Progress {
  step(s: StepInfo): void;
  epochEnd(m: EpochMetrics): void;
  stop(): void;
}

/**
 * The original's line, "epoch N: L_tot ... L_likelihood ... L_divergence ...", on the test set,
 * then ours: the KL weight in force during a warm-up, the active units of the dimZ latent
 * dimensions (when the mode has an encoder), the training loss and the epoch's time.
 */
export function summaryLine(m: EpochMetrics, config: Pick<VaeConfig, 'dimZ' | 'klWarmup'>): string {
  const f = (v: number) => v.toFixed(2);
  const beta = config.klWarmup > 0 && m.klBeta !== undefined ? `; KL weight ${+m.klBeta.toFixed(4)} (warm-up)` : '';
  const bound = m.testBound ? `; −L_${m.testBound.k} ${f(m.testBound.value)}, the bound trained on` : '';
  const lr = m.learnRate !== undefined ? `; learning rate ${m.learnRate.toPrecision(3)}` : '';
  const au = m.test.activeUnits !== undefined ? `; active units ${m.test.activeUnits}/${config.dimZ}` : '';
  return (
    `epoch ${m.epoch}: L_tot ${f(m.test.loss)} L_likelihood ${f(m.test.recon)} L_divergence ${f(m.test.kl)}` +
    ` (test${bound}${beta}${au}; train loss ${f(m.trainLoss)}${lr}; ${m.seconds.toFixed(1)} s)`
  );
}

export function createProgress(config: Pick<VaeConfig, 'dimZ' | 'klWarmup'>, stream: NodeJS.WriteStream = process.stderr, out: (line: string) => void = console.log): Progress {
  if (stream.isTTY) {
    let bar: SingleBar | null = null;
    return {
      step(s) {
        if (!bar) {
          bar = new SingleBar({
            stream,
            format: 'epoch {epoch} |{bar}| {value}/{total} steps | loss {loss} | ETA {eta_formatted}',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          });
          bar.start(s.steps, 0, { epoch: s.epoch, loss: '-' });
        }
        bar.update(s.step, { epoch: s.epoch, loss: s.loss.toFixed(2) });
      },
      epochEnd(m) {
        bar?.stop();
        bar = null;
        out(summaryLine(m, config));
      },
      stop() {
        bar?.stop();
        bar = null;
      },
    };
  }
  return {
    step(s) {
      const every = Math.max(1, Math.round(s.steps / 10));
      if (s.step % every === 0 || s.step === s.steps) out(`epoch ${s.epoch}: step ${s.step}/${s.steps} loss ${s.loss.toFixed(2)}`);
    },
    epochEnd(m) {
      out(summaryLine(m, config));
    },
    stop() {},
  };
}
