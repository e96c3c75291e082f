#!/usr/bin/env bash
# Numbers for README's "Published numbers next to ours" (issue #14): Burda et al. (2016)'s
# one-stochastic-layer VAE architecture (784-200-200-50, tanh, no dropout, batch 20) trained with our
# code on dynamically binarized MNIST for EPOCHS epochs (default 250; they trained 3,280 passes with a
# decaying learning rate, we keep Adam's 1e-3), into results/burda2016_arch/ with run.log; then the
# importance-sampled -log p(x) with k = 5000 on the 10,000 binarized test images of that run and of
# the seed's model trained on the same data (notebook 07's run, results/notebooks/, trained by
# `npm run notebooks` when missing), timed by npm run bench-is. A run whose summary.json exists is kept.
set -u
cd "$(dirname "$0")/.."
epochs=${EPOCHS:-250}
dir=results/burda2016_arch
if [ -f "$dir/summary.json" ]; then echo "$dir: kept"; else
  mkdir -p "$dir"
  npm run --silent main -- --results_path "$dir" --overwrite True --n_hidden 200 --dim_z 50 --activation tanh --keep_prob 1 \
    --binarize dynamic --batch_size 20 --num_epochs "$epochs" --seed 1 --PRR False --explorer False > "$dir/run.log" 2>&1
  echo "$dir: exit $?"
fi
seed=results/notebooks/vae_z20_h500_beta1_bindyn_e20_b128_lr0.001_s1
[ -f "$seed/summary.json" ] || npm run --silent notebook-runs
for run in "$dir" "$seed"; do
  npm run --silent bench-is -- "$run" --k 5000 --threads "$(nproc)"
done
