// Executes every notebook in the reduced setting (VAE_NB_QUICK=1) through `npm run notebooks`,
// as CI does, and checks what each one shows. Skipped, visibly, where Jupyter is not installed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const notebooks = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort();
const hasJupyter = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' }).status === 0;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nb-'));

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
      '04_reproduce.ipynb', '05_denoising.ipynb', '06_learned_manifold.ipynb',
    ]);
  });

  test.each(notebooks)('%s runs to the end and shows its figures', (name) => {
    const r = spawnSync(path.join(ROOT, 'scripts', 'notebooks.sh'), [path.join('notebooks', name)], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, VAE_NB_QUICK: '1', NB_OUTPUT_DIR: outDir },
    });
    if (r.status !== 0) throw new Error(`nbconvert failed:\n${r.stderr.slice(-3000)}`);
    const nb = JSON.parse(fs.readFileSync(path.join(outDir, name), 'utf8'));
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === 'code');
    const outputs: Output[] = code.flatMap((c: { outputs: Output[] }) => c.outputs);
    expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
    expect(code.every((c: { execution_count: number | null }) => c.execution_count !== null)).toBe(true);
    const html = outputs.map((o) => String(o.data?.['text/html'] ?? ''));
    // Plotly's bundle once per notebook, then figures that only call newPlot.
    expect(html.filter((h) => h.includes('(function(){var define=undefined;')).length).toBe(1);
    expect(html.join('\n').split('Plotly.newPlot(').length - 1).toBeGreaterThanOrEqual(2);
    const text = outputs.map((o) => o.text ?? String(o.data?.['text/plain'] ?? '')).join('\n');
    expect(text).toMatch(/REDUCED setting/);
    expect(text).toMatch(/notebook ran in \d+ s on (node|wasm|cpu)/);
  }, 600000);
});
