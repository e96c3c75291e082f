#!/usr/bin/env bash
# `npm run install-kernel`: installs the kernel "TypeScript (vae-mnist-ts)" for the current user
# (jupyter kernelspec install --user), pointing at this checkout by its absolute path, so that
# Jupyter started any way, from anywhere, finds it. `npm run notebook` / `npm run lab` do not need it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command -v jupyter >/dev/null || { echo "error: jupyter not found (Debian: apt-get install jupyter-notebook)"; exit 2; }
spec=$(mktemp -d)/tslab-vae
mkdir -p "$spec"
node -e '
  const [root, file] = process.argv.slice(1);
  const spec = {
    argv: ["/bin/sh", "-c", "cd \"$0\" && exec node node_modules/tslab/bin/tslab kernel --config-path \"$1\"", root, "{connection_file}"],
    display_name: "TypeScript (vae-mnist-ts)",
    language: "typescript",
  };
  require("fs").writeFileSync(file, JSON.stringify(spec, null, 2) + "\n");
' "$root" "$spec/kernel.json"
jupyter kernelspec install --user --replace --name tslab-vae "$spec"
