import { createVae, gaussianManifoldGrid, interpolationLatents, linspace, makeConfig, manifoldGrid, normalQuantile, pmlrPng, traversalLatents } from '../lib/index';
import { PNG } from 'pngjs';
import { useBackend } from './helpers';

useBackend();

// Reference quantiles from Python's statistics.NormalDist().inv_cdf (Wichura's AS 241, ~1e-16).
const REFERENCE: [number, number][] = [
  [1e-10, -6.361340902404056], [0.001, -3.090232306167813], [0.02425, -1.9729610513118845], [0.025, -1.9599639845400538],
  [0.3, -0.5244005127080407], [0.5, 0], [0.8413447460685429, 1], [0.975, 1.9599639845400536], [0.999999, 4.753424308817089],
];

describe('the manifold grids', () => {
  test.each(REFERENCE)('normalQuantile(%p) = %p to 1e-8 relative', (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(z)));
  });

  test('normalQuantile refuses p outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, NaN]) expect(() => normalQuantile(p)).toThrow(`normalQuantile needs p in (0, 1), got ${p}`);
  });

  test('linear: the original mgrid, top-left (+range, +range), bottom-right (-range, -range)', () => {
    const z = manifoldGrid(3, 2, 2);
    expect(Array.from(z)).toEqual([2, 2, 2, 0, 2, -2, -2, 2, -2, 0, -2, -2]);
  });

  test('gaussian: midpoints of the unit square through the inverse CDF; corners at Phi^-1(1/2n), centre 0', () => {
    const n = 21;
    const z = gaussianManifoldGrid(n, n);
    const at = (i: number, j: number) => [z[(i * n + j) * 2], z[(i * n + j) * 2 + 1]];
    const corner = -normalQuantile(0.5 / n); // +1.98 for n = 21
    expect(corner).toBeCloseTo(1.9808, 3);
    expect(at(0, 0)[0]).toBeCloseTo(corner, 6);
    expect(at(0, 0)[1]).toBeCloseTo(corner, 6);
    expect(at(n - 1, n - 1)[0]).toBeCloseTo(-corner, 6);
    expect(at(0, n - 1)[1]).toBeCloseTo(-corner, 6);
    expect(at(10, 10)).toEqual([0, 0]);
    // Equal prior mass per step: the points crowd near 0 and spread out in the tails.
    const row = Array.from({ length: n }, (_, j) => at(0, j)[1]);
    expect(row[0] - row[1]).toBeGreaterThan(2 * (row[10] - row[11]));
    // Rectangular grids: the first coordinate down the rows, the second across.
    const r = gaussianManifoldGrid(4, 2);
    expect(r[0]).toBeCloseTo(-normalQuantile(0.25), 6);
    expect(r[1]).toBeCloseTo(-normalQuantile(0.125), 6);
  });

  test('pmlrPng draws either grid, at the same size; they differ', () => {
    const model = createVae(makeConfig({ dimZ: 2, nHidden: 16 }), 3);
    const g = { nx: 5, ny: 4, resize: 1 };
    const linear = PNG.sync.read(pmlrPng(model, g, 3, 'linear'));
    const gaussian = PNG.sync.read(pmlrPng(model, g, 3, 'gaussian'));
    expect([gaussian.width, gaussian.height]).toEqual([5 * 28, 4 * 28]);
    expect([linear.width, linear.height]).toEqual([gaussian.width, gaussian.height]);
    expect(Buffer.compare(linear.data, gaussian.data)).not.toBe(0);
    expect(Buffer.compare(PNG.sync.read(pmlrPng(model, g, 3)).data, linear.data)).toBe(0); // linear is the default
  });

  test('traversals: one row per dimension, one column per value, the rest of the code kept', () => {
    const code = [0.5, -1, 2];
    const z = traversalLatents(code, [2, 0], [-3, 0, 3]);
    expect(Array.from(z)).toEqual([0.5, -1, -3, 0.5, -1, 0, 0.5, -1, 3, -3, -1, 2, 0, -1, 2, 3, -1, 2]);
    expect(() => traversalLatents(code, [3], [0])).toThrow('dimension 3 is not one of the code\'s 3');
    expect(linspace(-3, 3, 7)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });

  test('interpolation: from a to b, linear in z, both ends included', () => {
    const z = interpolationLatents([0, 4], [2, 0], 3);
    expect(Array.from(z)).toEqual([0, 4, 1, 2, 2, 0]);
    expect(() => interpolationLatents([0], [1, 2], 2)).toThrow('codes of 1 and 2 dimensions');
  });
});
