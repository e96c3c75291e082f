// npm install hook: builds the optional OpenBLAS addon (native/) with node-gyp. When the build
// is impossible (no compiler, no OpenBLAS headers) it says so and succeeds: the library then
// uses tfjs's own kernels.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

if (process.env.VAE_NATIVE === '0') {
  console.log('vae-mnist-ts: VAE_NATIVE=0, native kernels not built');
  process.exit(0);
}
// npm tells its scripts where its own node-gyp is; run by hand, use npm's copy next to node.
const gyp = process.env.npm_config_node_gyp || path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
// Node ships its headers beside its binary: build against them rather than downloading them.
const prefix = path.dirname(path.dirname(process.execPath));
const args = [gyp, 'rebuild'];
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
if (r.status === 0) {
  console.log('vae-mnist-ts: native OpenBLAS kernels built');
} else {
  const why = `${r.stderr || ''}${r.stdout || ''}`.split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join(' | ');
  console.log(`vae-mnist-ts: native kernels not built (install libopenblas-dev and a C++ compiler to enable them): ${why || r.error}`);
}
