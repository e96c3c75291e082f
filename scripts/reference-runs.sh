#!/usr/bin/env bash
# Reference numbers for README (issue #6): the VAE at dim_z 2, 5, 10 and 20 for the seed's 60 epochs,
# one after another (one core), each into results/dim_z<N>_60_epochs/ with run.log. A run whose
# summary.json already exists is kept. ≈ 20–35 min per run on wasm + OpenBLAS.
set -u
cd "$(dirname "$0")/.."
for z in "${@:-2 5 10 20}"; do
  for dim_z in $z; do
    dir="results/dim_z${dim_z}_60_epochs"
    if [ -f "$dir/summary.json" ]; then echo "$dir: kept"; continue; fi
    mkdir -p "$dir"
    npm run --silent main -- --results_path "$dir" --overwrite True --dim_z "$dim_z" --num_epochs 60 > "$dir/run.log" 2>&1
    echo "$dir: exit $?"
  done
done
