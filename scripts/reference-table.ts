// `npm run reference-table`: README's reference numbers (issue #6) as a Markdown table. Ours: for
// each dim_z, a run under results/ with the seed's settings (VAE, β 1, no noise, seed 0) trained
// for 60 epochs (scripts/reference-runs.sh makes them; the README's manifold run is dim_z 2's).
// The peer: PyTorch's VAE example, results/peer_pytorch_example/dim_z<N>.jsonl
// (scripts/peer-reference-runs.sh). Test-set -ELBO in nats per image after 10 epochs (the
// example's default) and after 60 (the seed's).
import * as fs from 'fs';
import * as path from 'path';
import { collectRuns, markdownTable, readMetrics, readRunSummary } from '../lib/index';

const DIMS = [2, 5, 10, 20];
const fmt = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(2));

interface PeerEpoch {
  epoch: number;
  test_loss: number;
  test_recon: number;
  test_kl: number;
  seconds: number;
}

function peerEpochs(dimZ: number): PeerEpoch[] {
  const file = path.join('results', 'peer_pytorch_example', `dim_z${dimZ}.jsonl`);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as PeerEpoch);
}

const runs = collectRuns('results').filter((r) => r.mode === 'vae' && r.klBeta === 1 && !r.addNoise && r.seed === 0 && r.epochs === 60);

const rows = DIMS.map((dimZ) => {
  const run = runs.find((r) => r.dimZ === dimZ);
  const dir = path.join('results', run?.run ?? `dim_z${dimZ}_60_epochs`);
  const ours = readMetrics(dir);
  const summary = readRunSummary(dir);
  const at = (e: number) => ours.find((m) => m.epoch === e)?.test;
  const peer = peerEpochs(dimZ);
  const peerAt = (e: number) => peer.find((m) => m.epoch === e);
  const o60 = at(60), p60 = peerAt(60);
  return [
    dimZ,
    fmt(at(10)?.loss),
    o60 ? `${fmt(o60.loss)} (${fmt(o60.recon)} + ${fmt(o60.kl)})` : '–',
    summary?.isLogLikelihood ? fmt(-summary.isLogLikelihood.value) : '–',
    summary?.activeUnits ?? '–',
    fmt(peerAt(10)?.test_loss),
    p60 ? `${fmt(p60.test_loss)} (${fmt(p60.test_recon)} + ${fmt(p60.test_kl)})` : '–',
  ];
});
process.stdout.write(
  markdownTable(
    ['dim_z', 'ours, epoch 10', 'ours, epoch 60 (recon + KL)', 'ours, −log p(x) IS k = 50', 'active units', 'PyTorch example, epoch 10', 'PyTorch example, epoch 60 (recon + KL)'],
    rows,
  ) + '\n',
);
