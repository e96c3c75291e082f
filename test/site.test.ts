// `npm run site` on the committed notebooks, and the site it writes as a reader opens it: from
// file://, in headless Chromium, with every request that is not a local file refused. The index
// shows a card and a thumbnail per notebook and links only to files that exist; each notebook's
// page has all its figures interactive (Plotly from the file beside it; hover shows a value) and its
// explorers live; each explorer page on its own redraws its digit from a slider. Skipped, with the
// reason printed, where nbconvert or Chromium is missing.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { findChromium, HEADLESS_ARGS } from '../lib/plot/plotly_static';
import { expectSliderRedraws, inkShare } from './browser';

declare const document: any;

const ROOT = path.join(__dirname, '..');
const NAMES = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort().map((f) => f.replace(/\.ipynb$/, ''));
const chromiumPath = findChromium();
const hasNbconvert = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' }).status === 0;
const missing = [!chromiumPath && 'Chromium (apt-get install chromium)', !hasNbconvert && 'jupyter nbconvert (apt-get install jupyter-nbconvert)'].filter(Boolean);
if (missing.length) console.log(`the static site: skipped, ${missing.join(' and ')} not installed`);

/** A committed notebook's HTML outputs, and how many PNG outputs it has. */
function outputsOf(name: string): { html: string[]; pngs: number } {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', `${name}.ipynb`), 'utf8'));
  const outputs: { data?: Record<string, string | string[]> }[] = nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []);
  return { html: outputs.map((o) => [o.data?.['text/html'] ?? ''].flat().join('')), pngs: outputs.filter((o) => o.data?.['image/png']).length };
}

(missing.length ? describe.skip : describe)('the static site (npm run site), from file:// with the network refused', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'site-')), 'site');
  let browser: Browser;
  let context: BrowserContext;
  const refused: string[] = [];
  const errors: string[] = [];
  let log = '';

  beforeAll(async () => {
    const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', 'scripts/site.ts', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    log = r.stdout + r.stderr;
    if (r.status !== 0) throw new Error(`npm run site failed:\n${log}`);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath!, args: HEADLESS_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      refused.push(url);
      return route.abort();
    });
  }, 120000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${file}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${file}: console.error: ${m.text()}`);
    });
    await page.goto(`file://${path.join(out, file)}`);
    return page;
  }

  afterEach(() => {
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('it writes an index, a page and a thumbnail per notebook, its explorers and Plotly, and says so', () => {
    const explorers = NAMES.map((n) => outputsOf(n).html.filter((h) => h.includes('f.srcdoc=')).length);
    expect(explorers.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(1);
    expect(log).toMatch(new RegExp(`index\\.html: ${NAMES.length} notebooks, ${explorers.reduce((a, b) => a + b)} explorers, \\d+\\.\\d MB in all`));
    for (const [i, n] of NAMES.entries()) {
      expect(fs.existsSync(path.join(out, `${n}.html`))).toBe(true);
      expect(fs.statSync(path.join(out, 'thumbnails', `${n}.png`)).size).toBeGreaterThan(1000);
      for (let k = 1; k <= explorers[i]; k++) expect(fs.readFileSync(path.join(out, 'explorers', `${n}-${k}.html`), 'utf8')).toMatch(/^<!doctype html>/i);
      // Nothing from the exporting machine or a network: scripts and styles are inline or beside the page.
      const page = fs.readFileSync(path.join(out, `${n}.html`), 'utf8');
      expect(page.match(/<(script|link)[^>]+(src|href)="(?!data:)[^"]*"/g) ?? []).toEqual([]);
      expect(page).not.toMatch(/file:\/\/\/|https?:\/\/cdn/);
    }
    expect(fs.statSync(path.join(out, 'plotly.min.js')).size).toBeGreaterThan(1e6);
  });

  test('the index: a card per notebook with its thumbnail drawn, and every link to a file of the site', async () => {
    const page = await open('index.html');
    try {
      expect(await page.locator('article').count()).toBe(NAMES.length);
      const thumbs = await page.locator('article img').all();
      expect(thumbs).toHaveLength(NAMES.length);
      for (const t of thumbs) {
        expect(await t.evaluate((i: any) => i.complete && i.naturalWidth > 0)).toBe(true);
        await t.scrollIntoViewIfNeeded();
        expect(inkShare(await t.screenshot())).toBeGreaterThan(0.01);
      }
      const links: string[] = await page.$$eval('a', (as) => as.map((a: any) => a.getAttribute('href')));
      for (const n of NAMES) expect(links).toContain(`${n}.html`);
      for (const l of links) expect(fs.existsSync(path.join(out, l))).toBe(true);
      expect(await page.textContent('body')).toMatch(/Made by npm run site on \d{4}-\d\d-\d\d/);
    } finally {
      await page.close();
    }
  }, 60000);

  test.each(NAMES)('%s.html: every figure interactive, hover shows a value, its explorers live', async (name) => {
    const { html, pngs } = outputsOf(name);
    const figures = html.filter((h) => h.includes('newPlot(')).length;
    const explorers = html.filter((h) => h.includes('f.srcdoc=')).length;
    const page = await open(`${name}.html`);
    try {
      await page.waitForFunction(() => /Plotly \d+\.\d+\.\d+ loaded/.test(document.body.textContent), null, { timeout: 30000 });
      await page.waitForFunction((n: number) => document.querySelectorAll('.js-plotly-plot').length === n, figures, { timeout: 60000 });
      // Each figure and explorer replaced its static image: only the PNG outputs (image grids) are images still.
      expect(await page.locator('.jp-OutputArea-output img[src^="data:image/png"]').count()).toBe(pngs);
      const plot = page.locator('.js-plotly-plot').first();
      await plot.scrollIntoViewIfNeeded();
      const points = plot.locator('.scatterlayer .point');
      let hovered = '';
      for (let i = 0; i < Math.min(20, await points.count()) && !hovered; i++) {
        await points.nth(i).hover({ force: true });
        hovered = ((await plot.locator('.hoverlayer').textContent()) ?? '').trim();
      }
      expect(hovered).toMatch(/\d/);
      const frames = await page.locator('iframe[title="explorer"]').all();
      expect(frames).toHaveLength(explorers);
      for (const f of frames) await expectSliderRedraws((await (await f.elementHandle())!.contentFrame())!);
    } finally {
      await page.close();
    }
  }, 120000);

  test('each explorer page, on its own, redraws its digit from a slider', async () => {
    const files = fs.readdirSync(path.join(out, 'explorers'));
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const f of files) {
      const page = await open(`explorers/${f}`);
      try {
        await expectSliderRedraws(page);
      } finally {
        await page.close();
      }
    }
  }, 120000);
});
