// The two tiers lose no test: jest's own lists of the fast tier (jest.fast.config.js) and of the
// full tier (jest.config.js) are checked against test/tiers.js and the test files on disk.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { FULL_ONLY } = require('./tiers') as { FULL_ONLY: string[] };

/** The test files jest would run with `config`, as names under test/. */
function listed(config: string): string[] {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '-c', config, '--listTests'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`jest --listTests -c ${config}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((f) => path.relative(path.join(ROOT, 'test'), f)).sort();
}

test('the fast and the full-only tests together are every test file, each once; the full tier runs them all', () => {
  const onDisk = fs.readdirSync(path.join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts')).sort();
  const fast = listed('jest.fast.config.js'), full = listed('jest.config.js');
  expect(full).toEqual(onDisk);
  for (const f of FULL_ONLY) expect(onDisk).toContain(f); // a name in tiers.js that no file has would hide nothing
  expect(fast.filter((f) => FULL_ONLY.includes(f))).toEqual([]);
  expect([...fast, ...FULL_ONLY].sort()).toEqual(onDisk);
  expect(fast.length).toBeGreaterThan(FULL_ONLY.length);
}, 60000);
