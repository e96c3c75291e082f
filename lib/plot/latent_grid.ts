// Latent points to decode, as plain numbers (no tfjs): the original's PMLR grid over
// [-range, range]^2, AEVB Figure 4's grid through the Gaussian's inverse CDF (and that quantile),
// traversals of one code along chosen dimensions, and interpolations between two codes.

/** How the PMLR grid spaces its latent points: `linear` over [-zRange, zRange] (the original), `gaussian` through the inverse CDF (AEVB Figure 4). */
export type PmlrGrid = 'linear' | 'gaussian';
export const PMLR_GRIDS: readonly PmlrGrid[] = ['linear', 'gaussian'];

/**
 * The original's PMLR grid of latent points: ny rows by nx columns over [-range, range]^2, the
 * first coordinate falling down the rows and the second across the columns, so the top-left
 * point is (+range, +range) (numpy's mgrid[range:-range:ny*1j, range:-range:nx*1j]).
 */
export function manifoldGrid(nx: number, ny: number, range: number): Float32Array {
  const z = new Float32Array(nx * ny * 2);
  const step = (i: number, n: number) => (n === 1 ? range : range - (2 * range * i) / (n - 1));
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      z[(i * nx + j) * 2] = step(i, ny);
      z[(i * nx + j) * 2 + 1] = step(j, nx);
    }
  }
  return z;
}

/**
 * Phi^-1(p), the standard normal's quantile, for p in (0, 1): Acklam's rational approximation
 * (relative error below 1.2e-9), central region and both tails.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile needs p in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5, r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * AEVB Figure 4's grid: coordinates spaced linearly on the unit square (the midpoints of n equal
 * cells, (i + 1/2) / n, so that every point stands for the same prior mass) mapped through the
 * Gaussian's inverse CDF; laid out as manifoldGrid (top-left the most positive point).
 */
export function gaussianManifoldGrid(nx: number, ny: number): Float32Array {
  const z = new Float32Array(nx * ny * 2);
  const at = (i: number, n: number) => 0 - normalQuantile((i + 0.5) / n); // 0 - : the centre is 0, not -0
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      z[(i * nx + j) * 2] = at(i, ny);
      z[(i * nx + j) * 2 + 1] = at(j, nx);
    }
  }
  return z;
}

/** n numbers evenly from lo to hi, both included. */
export function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)));
}

/**
 * A latent traversal: one row per dimension of `dims`, one column per value of `values`; each
 * point is `code` with that dimension set to that value (rows x columns points, row-major).
 */
export function traversalLatents(code: ArrayLike<number>, dims: number[], values: number[]): Float32Array {
  const dimZ = code.length;
  const z = new Float32Array(dims.length * values.length * dimZ);
  dims.forEach((d, r) => {
    if (!Number.isInteger(d) || d < 0 || d >= dimZ) throw new Error(`traversalLatents: dimension ${d} is not one of the code's ${dimZ}`);
    values.forEach((v, c) => {
      const at = (r * values.length + c) * dimZ;
      z.set(Array.from(code), at);
      z[at + d] = v;
    });
  });
  return z;
}

/** `steps` latent points from a to b (both included), linear in z. */
export function interpolationLatents(a: ArrayLike<number>, b: ArrayLike<number>, steps: number): Float32Array {
  if (a.length !== b.length) throw new Error(`interpolationLatents: codes of ${a.length} and ${b.length} dimensions`);
  const z = new Float32Array(steps * a.length);
  linspace(0, 1, steps).forEach((t, s) => {
    for (let d = 0; d < a.length; d++) z[s * a.length + d] = (1 - t) * a[d] + t * b[d];
  });
  return z;
}
