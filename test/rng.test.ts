import { Rng } from '../lib';

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
});
