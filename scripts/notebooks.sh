#!/usr/bin/env bash
# `npm run notebooks [-- notebook.ipynb ...]`: regenerates the notebooks. First trains every
# notebook run not yet finished (cli/commands/notebook_runs.ts; NB_WORKERS at a time, default one per
# core), then executes the notebooks with `jupyter nbconvert --execute` on the project's tslab
# kernel (jupyter/kernels/tslab-vae, found through JUPYTER_PATH), which load those runs, and writes
# their outputs in place. VAE_NB_QUICK=1 runs the reduced setting (CI); NB_OUTPUT_DIR writes the
# executed copies there instead of in place. A failing cell fails the command with its real error.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export JUPYTER_PATH="$root/jupyter"
export JUPYTER_DATA_DIR="$root/.jupyter/data"
export JUPYTER_RUNTIME_DIR="$root/.jupyter/runtime"
export JUPYTER_CONFIG_DIR="$root/.jupyter/config"
# Saved notebooks find Plotly beside their page (the site puts it there) instead of carrying 0.66 MB each.
export VAE_NB_PLOTLY=${VAE_NB_PLOTLY:-beside}
jupyter=${JUPYTER:-jupyter}
command -v "$jupyter" >/dev/null || { echo "error: jupyter not found (Debian: apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)"; exit 2; }
[ -f node_modules/tslab/bin/tslab ] || { echo "error: node_modules/tslab missing: run npm ci"; exit 2; }

if [ $# -gt 0 ]; then notebooks=("$@"); else notebooks=(notebooks/*.ipynb); fi
if [ -n "${NB_OUTPUT_DIR:-}" ]; then out=(--output-dir "$NB_OUTPUT_DIR"); else out=(--inplace); fi
start_all=$(date +%s)
node_modules/.bin/ts-node --transpile-only cli/commands/notebook_runs.ts ${NB_WORKERS:+--workers "$NB_WORKERS"}
for nb in "${notebooks[@]}"; do
  echo "executing $nb"
  start=$(date +%s)
  "$jupyter" nbconvert --to notebook --execute "${out[@]}" --config jupyter/nbconvert_config.py "$nb"
  echo "$nb: $(( $(date +%s) - start )) s"
done
echo "notebooks regenerated in $(( $(date +%s) - start_all )) s"
