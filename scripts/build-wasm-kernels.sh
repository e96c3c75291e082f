#!/usr/bin/env bash
# Builds native/vae_kernels.wasm from native/vae_wasm.cc (the addon's elementwise loops, for the wasm
# backend without the addon). Needs clang and lld with the WebAssembly target (Debian: apt-get install
# clang lld). The built module is committed: users need no compiler; test/wasm_kernels.test.ts
# rebuilds it where clang is installed and checks the committed one is what the source gives.
# Usage: scripts/build-wasm-kernels.sh [OUTPUT] (default native/vae_kernels.wasm)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-native/vae_kernels.wasm}
clang=$(command -v clang++ || command -v clang++-14 || true)
[ -n "$clang" ] || { echo "build-wasm-kernels: clang++ not found (Debian: apt-get install clang lld)" >&2; exit 1; }
# Shared memory: the module imports tfjs's threaded build's memory (shared, up to 4 GiB). No
# -ffast-math: NaN must pass through the kernels (a diverged run must show in its loss).
"$clang" --target=wasm32 -O3 -msimd128 -matomics -mbulk-memory -mmutable-globals -fno-trapping-math -fno-math-errno \
  -nostdlib -fno-exceptions -fno-rtti -isystem native/wasm_include -std=c++17 \
  -Wl,--no-entry -Wl,--import-memory -Wl,--shared-memory -Wl,--max-memory=4294967296 \
  -Wl,--export=__stack_pointer -Wl,--strip-all \
  -o "$out" native/vae_wasm.cc
echo "built $out ($(wc -c < "$out") bytes)"
