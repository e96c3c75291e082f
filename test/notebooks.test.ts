// Executes every notebook in the reduced setting (VAE_NB_QUICK=1) through `npm run notebooks`, as
// CI does, and checks what each one shows. Skipped, visibly, where Jupyter is not installed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runName, SETTINGS } from '../lib/index';
import { findChromium } from '../lib/plot/plotly_static';
import { NOTEBOOK_RUNS, notebookConfig } from '../notebooks/settings';

const ROOT = path.join(__dirname, '..');
const notebooks = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort();
const hasJupyter = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' }).status === 0;
if (!hasJupyter) console.log('notebooks (reduced setting): skipped, jupyter nbconvert is not installed');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nb-'));
const outDir = path.join(tmp, 'executed');
const results = path.join(tmp, 'results');

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  name?: string;
  text?: string;
}

(hasJupyter ? describe : describe.skip)('notebooks (reduced setting)', () => {
  test('there is one notebook per experiment', () => {
    expect(notebooks).toEqual([
      '01_latent_space_vae_vs_ae.ipynb', '02_no_encoder.ipynb', '03_kl_beta.ipynb',
      '04_reproduce.ipynb', '05_denoising.ipynb', '06_learned_manifold.ipynb', '07_likelihoods.ipynb', '08_iwae.ipynb',
    ]);
  });

  test.each(notebooks)('%s runs to the end and shows its figures', (name) => {
    const r = spawnSync(path.join(ROOT, 'scripts', 'notebooks.sh'), [path.join('notebooks', name)], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, VAE_NB_QUICK: '1', NB_OUTPUT_DIR: outDir, VAE_NB_RESULTS: results },
    });
    if (r.status !== 0) throw new Error(`nbconvert failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-3000)}`);
    const nb = JSON.parse(fs.readFileSync(path.join(outDir, name), 'utf8'));
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === 'code');
    const outputs: Output[] = code.flatMap((c: { outputs: Output[] }) => c.outputs);
    expect(outputs.filter((o) => o.output_type === 'error' || o.name === 'stderr')).toEqual([]);
    expect(code.every((c: { execution_count: number | null }) => c.execution_count !== null)).toBe(true);
    // Only MIME types an untrusted notebook shows: no Markdown, no SVG.
    expect(outputs.flatMap((o) => Object.keys(o.data ?? {})).filter((t) => !['text/plain', 'text/html', 'image/png'].includes(t))).toEqual([]);
    const html = outputs.map((o) => String(o.data?.['text/html'] ?? ''));
    // The Plotly loader once; a saved notebook finds Plotly beside its page (the site) rather than carrying it.
    expect(html.filter((h) => h.includes('Plotly is not running here'))).toHaveLength(1);
    expect(html.filter((h) => h.includes('DecompressionStream'))).toEqual([]);
    // Figures that only call newPlot, each with its static copy.
    const figures = html.filter((h) => h.includes('newPlot('));
    const images = outputs.filter((o) => o.data?.['image/png']);
    expect(figures.length + images.length).toBeGreaterThanOrEqual(2);
    if (findChromium()) for (const f of figures) expect(f).toMatch(/^<div id="[^"]+" style="[^"]*"><img src="data:image\/png;base64,/);
    const text = outputs.map((o) => o.text ?? String(o.data?.['text/plain'] ?? '')).join('\n');
    expect(text).toMatch(/^engine: (wasm|node|cpu)/m);
    expect(text).toMatch(/setting: REDUCED \(1 epoch per run on 5,000 training images, IS with k = 5/);
    expect(text).toMatch(/trained until \d{4}-\d\d-\d\d \d\d:\d\d UTC: 1 epoch on 5,000 training images/);
    expect(text).toMatch(/notebook ran in \d+ s \(reduced setting, (node|wasm|cpu)/);
    expect(text).not.toMatch(/trained earlier/);
  }, 600000);

  test('the notebooks trained exactly the runs of the one list (notebooks/settings.ts)', () => {
    const expected = NOTEBOOK_RUNS.map((o) => runName(notebookConfig(o, SETTINGS.reduced))).sort();
    expect(fs.readdirSync(path.join(results, 'notebooks-reduced')).sort()).toEqual(expected);
  });
});
