// `npm run site [-- --out DIR]`: the committed notebooks as a static site in site/ (or DIR): each
// notebook exported to HTML by nbconvert (jupyter/nbconvert/templates/vae_site: nbconvert's lab
// page, nothing loaded from the exporting machine), then lib/web/site.ts's index, thumbnails,
// explorers and Plotly beside them. Open site/index.html, or copy the folder to any static host.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { siteEntry, writeSiteFiles } from '../lib/web/site';

const ROOT = path.join(__dirname, '..');

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length && !(args.length === 2 && args[0] === '--out')) fail(`unknown arguments '${args.join(' ')}': the only flag is --out DIR (default site)`);
const out = path.resolve(args[1] ?? path.join(ROOT, 'site'));
const dir = path.join(ROOT, 'notebooks');
const names = fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort();
const jupyter = process.env.JUPYTER || 'jupyter';

const started = Date.now();
const r = spawnSync(jupyter, ['nbconvert', '--to', 'html', '--template', 'vae_site', '--output-dir', out, ...names.map((n) => path.join(dir, n))], {
  encoding: 'utf8',
  env: {
    ...process.env,
    JUPYTER_PATH: path.join(ROOT, 'jupyter'), // the vae_site template
    JUPYTER_DATA_DIR: path.join(ROOT, '.jupyter', 'data'),
    JUPYTER_RUNTIME_DIR: path.join(ROOT, '.jupyter', 'runtime'),
    JUPYTER_CONFIG_DIR: path.join(ROOT, '.jupyter', 'config'),
  },
});
if (r.error) fail(`${jupyter} nbconvert could not start (${r.error.message}): apt-get install jupyter-nbconvert (Debian)`);
if (r.status !== 0) fail(`nbconvert failed:\n${r.stderr.slice(-3000)}`);

const entries = names.map((n) => siteEntry(n.replace(/\.ipynb$/, ''), JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8'))));
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
writeSiteFiles(out, entries, `Made by npm run site on ${new Date().toISOString().slice(0, 10)} from the notebooks${commit ? ` of commit ${commit}` : ''}.`);

const size = (f: string): number => (fs.statSync(f).isDirectory() ? fs.readdirSync(f).reduce((s, g) => s + size(path.join(f, g)), 0) : fs.statSync(f).size);
const explorers = entries.reduce((s, e) => s + e.explorers.length, 0);
console.log(`${path.relative(process.cwd(), out) || '.'}/index.html: ${names.length} notebooks, ${explorers} explorers, ${(size(out) / 1e6).toFixed(1)} MB in all, ${((Date.now() - started) / 1000).toFixed(0)} s`);
