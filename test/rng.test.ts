import { fillNormal, Rng } from '../lib/index';

describe('Rng', () => {
  test('the same seed gives the same stream, another seed another', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  test('draws are uniform in [0, 1)', () => {
    const r = new Rng(1);
    const xs = Array.from({ length: 20000 }, () => r.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  test('shuffle is a permutation that depends on the seed', () => {
    const a = new Rng(7).shuffle(Uint32Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(new Rng(7).shuffle(Uint32Array.from({ length: 100 }, (_, i) => i)))).toEqual(Array.from(a));
  });

  test('fillNormal draws N(0, 1): mean 0, variance 1, 95% within 1.96', () => {
    const z = fillNormal(new Rng(5), new Float32Array(100001));
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(mean).toBeCloseTo(0, 2);
    expect(variance).toBeCloseTo(1, 1);
    expect(z.filter((v) => Math.abs(v) < 1.96).length / z.length).toBeCloseTo(0.95, 2);
    expect(Array.from(fillNormal(new Rng(5), new Float32Array(5)))).toEqual(Array.from(z.subarray(0, 5)));
  });
});
