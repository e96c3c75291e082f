// native/vae_kernels.wasm, the addon's elementwise loops compiled to WebAssembly (native/vae_wasm.cc,
// scripts/build-wasm-kernels.sh), is committed: it must be what its source builds, and it must be
// safe to instantiate on tfjs's heap: its only import the (shared) memory, no data segments and no
// start function (nothing written at instantiation), its kernels and stack pointer exported.
// What the kernels compute is checked against tfjs's cpu kernels in speed_equivalence_wasm.test.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const WASM = path.join(ROOT, 'native', 'vae_kernels.wasm');

/** The module's sections by id, its imports and its exports (the WebAssembly binary format, read by hand). */
function readModule(bytes: Buffer): { sections: number[]; imports: string[]; exports: string[]; memoryFlags: number } {
  let i = 8;
  const leb = () => {
    let result = 0, shift = 0, byte;
    do {
      byte = bytes[i++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const name = () => {
    const n = leb();
    return bytes.toString('utf8', (i += n) - n, i);
  };
  const sections: number[] = [], imports: string[] = [], exports: string[] = [];
  let memoryFlags = -1;
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  while (i < bytes.length) {
    const id = bytes[i++], size = leb(), end = i + size;
    sections.push(id);
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        imports.push(`${name()}.${name()}`);
        const kind = bytes[i++];
        expect(kind).toBe(2); // memory: the only kind of import we accept
        memoryFlags = bytes[i];
        i = end; // one import (checked below)
      }
    }
    if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        exports.push(name());
        i++;
        leb();
      }
    }
    i = end;
  }
  return { sections, imports, exports, memoryFlags };
}

describe('native/vae_kernels.wasm', () => {
  test('imports only a shared memory, writes nothing when instantiated, exports the kernels and its stack pointer', () => {
    const m = readModule(fs.readFileSync(WASM));
    expect(m.imports).toEqual(['env.memory']);
    expect(m.memoryFlags & 2).toBe(2); // shared: tfjs's threaded build's memory
    expect(m.sections).not.toContain(11); // no data segments
    expect(m.sections).not.toContain(8); // no start function
    expect(m.exports.sort()).toEqual(['__stack_pointer', 'activation_grad', 'adam', 'bernoulli_fill', 'bernoulli_nll', 'bernoulli_nll_grad', 'dense_epilogue']);
  });

  const clang = spawnSync('sh', ['-c', 'command -v clang++ && command -v wasm-ld'], { encoding: 'utf8' }).status === 0;
  (clang ? test : test.skip)('is what its source builds (clang and lld installed)', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vae-wasm-')), 'vae_kernels.wasm');
    const r = spawnSync(path.join(ROOT, 'scripts', 'build-wasm-kernels.sh'), [out], { cwd: ROOT, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(fs.readFileSync(out).equals(fs.readFileSync(WASM))).toBe(true);
  });
});
