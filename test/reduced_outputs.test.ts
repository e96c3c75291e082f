// The Jupyter servers' pre-save hook (jupyter/reduced_outputs.py) case by case, called from Python
// with a stand-in contents manager: a notebook without full-setting outputs (reduced ones, or
// cleared by a run under way) saved over one holding full outputs goes to
// <results>/notebooks-reduced/ and the file keeps its content; every other save passes untouched. (In JupyterLab and the classic Notebook: test/jupyterlab.test.ts,
// test/notebooks_browser.test.ts.) Skipped where /usr/bin/python3 is missing.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const hasPython = fs.existsSync('/usr/bin/python3');
if (!hasPython) console.log('the reduced-outputs save hook: skipped, /usr/bin/python3 missing');

const nb = (line: string) => ({ cells: [{ cell_type: 'code', source: '', outputs: [{ output_type: 'stream', name: 'stdout', text: [`${line}\n`] }] }], metadata: {}, nbformat: 4, nbformat_minor: 5 });
const REDUCED = nb('setting: REDUCED (1 epoch per run on 5,000 training images, IS with k = 5; runs in results/notebooks-reduced/)');
const FULL = nb('setting: full (20 epochs per run on 55,000 training images, IS with k = 50; runs in results/notebooks/)');
const CLEARED = { ...FULL, cells: [{ cell_type: 'code', source: '', outputs: [] }] }; // Run All under way, before the first cell's output

/** Runs the hook on `model` saved at `file` (relative to a fresh root); returns the model's content afterwards, and the dirs. */
function save(model: object, onDisk: object | null, file = 'notebooks/06.ipynb') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hook-'));
  const results = path.join(root, 'results');
  if (onDisk) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), JSON.stringify(onDisk));
  }
  const py = `
import json, sys, logging
sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'jupyter'))})
from reduced_outputs import keep_full_outputs
class CM:
    log = logging.getLogger('cm')
    def _get_os_path(self, p): return ${JSON.stringify(root)} + '/' + p
model = json.loads(sys.stdin.read())
keep_full_outputs(model=model, path=${JSON.stringify(file)}, contents_manager=CM())
print(json.dumps(model))`;
  const r = spawnSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(model), encoding: 'utf8', env: { ...process.env, VAE_NB_RESULTS: results } });
  if (r.status !== 0) throw new Error(r.stderr);
  return { after: JSON.parse(r.stdout), copy: path.join(results, 'notebooks-reduced', path.basename(file)), log: r.stderr };
}

(hasPython ? describe : describe.skip)('the reduced-outputs save hook (jupyter/reduced_outputs.py)', () => {
  test.each([
    ['reduced outputs', REDUCED, /holds reduced-setting outputs: saved to .*notebooks-reduced\/06\.ipynb; notebooks\/06\.ipynb keeps its full-setting outputs/],
    ['outputs cleared by a run under way', CLEARED, /holds no full-setting outputs: saved to .*notebooks-reduced\/06\.ipynb/],
  ])('%s over full ones: written to notebooks-reduced/, the file keeps its full outputs, and the log says so', (_, content, said) => {
    const { after, copy, log } = save({ type: 'notebook', content }, FULL);
    expect(after.content).toEqual(FULL);
    expect(JSON.parse(fs.readFileSync(copy, 'utf8'))).toEqual(content);
    expect(log).toMatch(said);
  });

  test.each([
    ['full outputs over full ones', { type: 'notebook', content: FULL }, FULL],
    ['reduced outputs over reduced ones', { type: 'notebook', content: REDUCED }, REDUCED],
    ['reduced outputs as a new file', { type: 'notebook', content: REDUCED }, null],
    ['cleared outputs over reduced ones', { type: 'notebook', content: CLEARED }, REDUCED],
    ['a file that is not a notebook', { type: 'file', content: 'setting: REDUCED (' }, FULL],
  ])('%s: saved as they are, nothing else written', (_, model, onDisk) => {
    const { after, copy } = save(model, onDisk);
    expect(after).toEqual(model);
    expect(fs.existsSync(copy)).toBe(false);
  });
});
