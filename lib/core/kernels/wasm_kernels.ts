// The addon's elementwise kernels compiled to WebAssembly (native/vae_wasm.cc over the same loops
// of native/vae_kernels.h, built into native/vae_kernels.wasm), for the wasm backend without the
// addon: dense's bias, activation and dropout after XNNPACK's product, its gradient, the
// (continuous) Bernoulli NLL and its gradient, Adam, and dropout masks. The module is instantiated on the memory
// of tfjs's threaded build (./wasm_threaded.ts), shared, so the kernels run on tensors where they
// lie: arguments are views of that memory, passed as byte offsets. One thread, the caller's.
// The module has no data and no start function (it writes nothing when instantiated); its stack
// is a block allocated on tfjs's heap.
import * as fs from 'fs';
import * as path from 'path';

const WASM = path.join(__dirname, '..', '..', '..', 'native', 'vae_kernels.wasm');
const STACK_BYTES = 64 * 1024; // bernoulli_nll_row keeps 4 KB of terms: room to spare

/** What we use of Node's WebAssembly global (the project's TypeScript settings leave out the DOM types that declare it). */
export const WebAssemblyApi = (globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => unknown;
    Instance: new (module: unknown, imports: object) => { exports: Record<string, unknown> };
    Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBufferLike };
    instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }>;
  };
}).WebAssembly;

type Fn = (...args: number[]) => void;

export class WasmKernels {
  private readonly fn: Record<'dense_epilogue' | 'activation_grad' | 'bernoulli_nll' | 'bernoulli_nll_grad' | 'adam' | 'bernoulli_fill', Fn>;

  /** Instantiates the kernels on `memory` (tfjs's, shared), their stack a block from tfjs's `malloc`. */
  constructor(private readonly memory: { buffer: ArrayBufferLike }, malloc: (bytes: number) => number) {
    const { exports } = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(fs.readFileSync(WASM)), { env: { memory } });
    const stack = malloc(STACK_BYTES);
    if (!stack) throw new Error('wasm kernels: no memory for their stack');
    (exports.__stack_pointer as { value: number }).value = (stack + STACK_BYTES) & ~15; // the stack grows down, 16-byte aligned
    this.fn = exports as unknown as WasmKernels['fn'];
  }

  /** Whether `a` is a view of the memory these kernels run on. */
  owns(a: Float32Array): boolean {
    return a.buffer === this.memory.buffer;
  }

  /** The byte offset of a view of the memory (0 for none). A view of anything else is a bug: it is refused. */
  private at(a: Float32Array | null): number {
    if (a === null) return 0;
    if (a.buffer !== this.memory.buffer) throw new Error('wasm kernels: an argument is not a view of the wasm heap (or of an older one: views must be taken after every allocation)');
    return a.byteOffset;
  }

  /** y (m x n) = act(y + b) * mask in place (act 0 linear, 1 ELU, 2 tanh; mask null: none): dense after its product. */
  denseEpilogue(y: Float32Array, b: Float32Array, mask: Float32Array | null, m: number, n: number, act: number): void {
    this.fn.dense_epilogue(this.at(y), this.at(b), this.at(mask), m, n, act);
  }

  /** As the addon's: dPre = dy * mask * act'(y / mask); db = column sums of dPre. */
  activationGrad(dy: Float32Array, y: Float32Array, mask: Float32Array | null, dPre: Float32Array, db: Float32Array, m: number, n: number, act: number): void {
    this.fn.activation_grad(this.at(dy), this.at(y), this.at(mask), this.at(dPre), this.at(db), m, n, act);
  }

  /** As the addon's: nll (m) of targets x (m x n) under Bernoulli logits, or the continuous Bernoulli's. */
  bernoulliNll(x: Float32Array, logits: Float32Array, nll: Float32Array, m: number, n: number, continuous: boolean, logClip: number, logitClip: number): void {
    this.fn.bernoulli_nll(this.at(x), this.at(logits), this.at(nll), m, n, continuous ? 1 : 0, logClip, logitClip);
  }

  /** As the addon's: dLogits = dNll_i * d nll_i / d logits. */
  bernoulliNllGrad(dNll: Float32Array, x: Float32Array, logits: Float32Array, dLogits: Float32Array, m: number, n: number, continuous: boolean, logClip: number, logitClip: number): void {
    this.fn.bernoulli_nll_grad(this.at(dNll), this.at(x), this.at(logits), this.at(dLogits), m, n, continuous ? 1 : 0, logClip, logitClip);
  }

  /**
   * out[i] = value with probability p, else 0: mulberry32 draws from state[0] (advanced by
   * out.length), as lib/core/rng.ts's Rng.next() < p and the addon's bernoulliFill.
   */
  bernoulliFill(state: Int32Array, out: Float32Array, p: number, value: number): void {
    const a0 = state[0] >>> 0;
    this.fn.bernoulli_fill(a0, this.at(out), out.length, p, value);
    state[0] = (a0 + Math.imul(out.length, 0x6d2b79f5)) | 0;
  }

  /** One Adam step (as the addon's adam) into wOut, never over w; m and v in place. */
  adamInto(wOut: Float32Array, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, b1: number, b2: number, c1: number, c2: number, eps: number): void {
    const n = w.length;
    if (wOut.length !== n || g.length !== n || m.length !== n || v.length !== n) throw new Error('wasm kernels: adam: arrays differ in length');
    this.fn.adam(this.at(wOut), this.at(w), this.at(g), this.at(m), this.at(v), n, lr, b1, b2, c1, c2, eps);
  }
}
