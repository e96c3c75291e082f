#!/usr/bin/env bash
# Runs the six commands of the original project's README with our command line, two at a time
# (two queues, one per core), each into results/<name>/ with a log. Takes ~45 min on 2 cores (wasm + OpenBLAS).
set -u
cd "$(dirname "$0")/.."
run() {
  local name=$1; shift
  mkdir -p "results/$name"
  npm run --silent main -- --results_path "results/$name" --overwrite True "$@" > "results/$name/run.log" 2>&1
  echo "$name: exit $?"
}
# Two queues of ~100 and ~120 epochs, one per core.
(
  run vanilla_ae_dim_z2 --dim_z 2 --vanilla_ae_mode
  run no_encoder --no_encoder_mode
  run kl_beta_0.1 --KL_beta 0.1
  run denoising_dim_z20 --dim_z 20 --add_noise True --num_epochs 40
) &
(
  run manifold_dim_z2 --dim_z 2 --num_epochs 60 --PMLR True
  run dim_z5_60_epochs --dim_z 5 --num_epochs 60
) &
wait
