#!/usr/bin/env bash
# `npm run notebook` (classic Notebook) / `npm run lab` (JupyterLab): the Jupyter UI on the project
# root, with the project's kernel "TypeScript (vae-mnist-ts)" found through JUPYTER_PATH. Extra
# arguments go to Jupyter (as root: npm run notebook -- --allow-root). Says what to install when
# the UI is missing. A notebook run in the reduced setting is saved to results/notebooks-reduced/.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
ui=$1
shift
export JUPYTER_PATH="$root/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
# jupyter/jupyter_{server,notebook}_config.py: saving a reduced-setting run never replaces a notebook's full outputs.
export JUPYTER_CONFIG_PATH="$root/jupyter${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
if ! jupyter "$ui" --version >/dev/null 2>&1; then
  case $ui in
    lab) echo "error: JupyterLab is not installed ('jupyter lab' not found): pip install jupyterlab; or use the classic Notebook: apt-get install jupyter-notebook (Debian), then npm run notebook" ;;
    *) echo "error: the classic Notebook is not installed ('jupyter notebook' not found): apt-get install jupyter-notebook (Debian) or pip install notebook" ;;
  esac
  exit 2
fi
[ -f node_modules/tslab/bin/tslab ] || { echo "error: node_modules/tslab missing: run npm ci"; exit 2; }
exec jupyter "$ui" --notebook-dir="$root" "$@"
