import { ConfigError, defaultConfig, makeConfig, trainingBytes } from '../lib/index';

describe('config', () => {
  test('defaults are the original run_main.py defaults', () => {
    expect(defaultConfig).toMatchObject({
      mode: 'vae', dimZ: 20, nHidden: 500, learnRate: 1e-3, numEpochs: 20, batchSize: 128,
      addNoise: false, klBeta: 1.0, keepProb: 0.9, dimImg: 784,
    });
  });

  test('overrides replace defaults and leave the rest', () => {
    const c = makeConfig({ dimZ: 2, klBeta: 0.1 });
    expect(c.dimZ).toBe(2);
    expect(c.klBeta).toBe(0.1);
    expect(c.nHidden).toBe(500);
  });

  test.each([
    [{ dimZ: 0 }, 'dimZ must be an integer in [1, 1024], got 0'],
    [{ dimZ: 2.5 }, 'dimZ must be an integer in [1, 1024], got 2.5'],
    [{ dimZ: 1e9 }, 'dimZ must be an integer in [1, 1024], got 1000000000'],
    [{ nHidden: 0 }, 'nHidden must be an integer in [1, 8192], got 0'],
    [{ learnRate: 0 }, 'learnRate must be a number in (0, 1], got 0'],
    [{ learnRate: 1e5 }, 'learnRate must be a number in (0, 1], got 100000'],
    [{ learnRate: NaN }, 'learnRate must be a number in (0, 1], got null'],
    [{ numEpochs: -1 }, 'numEpochs must be an integer in [1, 100000], got -1'],
    [{ batchSize: 0 }, 'batchSize must be an integer in [1, 60000], got 0'],
    [{ klBeta: -0.1 }, 'klBeta must be a number in [0, 1000], got -0.1'],
    [{ mode: 'gan' as never }, 'mode must be one of vae, vanilla_ae, no_encoder, got "gan"'],
    [{ keepProb: 1.5 }, 'keepProb must be a number in (0, 1], got 1.5'],
  ])('rejects %j', (override, message) => {
    expect(() => makeConfig(override)).toThrow(ConfigError);
    expect(() => makeConfig(override)).toThrow(message);
  });

  test('trainingBytes: the seed model trains in tens of MB; the largest sizes allowed need tens of GB', () => {
    expect(trainingBytes(defaultConfig) / 1e6).toBeGreaterThan(15);
    expect(trainingBytes(defaultConfig) / 1e6).toBeLessThan(40);
    expect(trainingBytes({ ...defaultConfig, nHidden: 8192, batchSize: 55000 }) / 1e9).toBeGreaterThan(20);
  });

  test('rejects unknown settings', () => {
    expect(() => makeConfig({ dim_z: 3 } as never)).toThrow('dim_z must be a known setting');
  });
});
