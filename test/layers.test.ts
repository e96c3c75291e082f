// The house's layers, checked with dependency-cruiser (.dependency-cruiser.js holds the rules: no
// cycles, core → runs → plot → web, lib/ never importing the commands, scripts, notebooks or tslab,
// nothing importing an entry script), plus what tslab needs: every local import names a file, not
// a folder (tslab's notebook loader resolves `./lib/index` but not `./core` to `./core/index`).
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

interface Dependency { module: string; resolved: string; couldNotResolve: boolean; dependencyTypes: string[] }
interface Cruised { modules: { source: string; dependencies: Dependency[] }[]; summary: { violations: { from: string; to: string; rule: { name: string } }[] } }

let cruised: Cruised;
beforeAll(() => {
  const r = spawnSync(process.execPath, [
    path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
    'lib', 'cli', 'scripts', 'notebooks', '--config', '.dependency-cruiser.js', '--output-type', 'json',
  ], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`dependency-cruiser failed: ${r.stderr}`);
  cruised = JSON.parse(r.stdout);
}, 60000);

describe('layers', () => {
  test('dependency-cruiser saw the whole house', () => {
    const sources = cruised.modules.map((m) => m.source);
    for (const f of ['lib/index.ts', 'lib/core/model.ts', 'lib/runs/run.ts', 'lib/plot/figures.ts', 'lib/web/explorer.ts', 'cli/commands/run_main.ts', 'notebooks/display.ts']) {
      expect(sources).toContain(f);
    }
  });

  test('no import breaks a rule of .dependency-cruiser.js', () => {
    const broken = cruised.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(broken).toEqual([]);
  });

  test('every local import resolves, and to a file it names (not a folder index)', () => {
    const bad: string[] = [];
    for (const m of cruised.modules.filter((x) => !x.source.startsWith('node_modules/'))) {
      for (const d of m.dependencies.filter((x) => x.module.startsWith('.'))) {
        if (d.couldNotResolve) bad.push(`${m.source}: ${d.module} does not resolve`);
        else if (/\/index\.(ts|js)$/.test(d.resolved) && !/(^|\/)index(\.(ts|js))?$/.test(d.module)) bad.push(`${m.source}: ${d.module} is a folder (write ${d.module}/index)`);
      }
    }
    expect(bad).toEqual([]);
  });
});
