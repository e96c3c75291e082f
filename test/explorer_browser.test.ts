// The explorer as a reader uses it: the page opened from a file:// URL in headless Chromium
// (Debian's, through playwright-core) with every network request refused. A slider redraws the
// digit, the canvas holds the library's decode of the page's z within the stated bound, the 2-D
// plane decodes the point under the mouse, an index outside the test set is refused in words.
// Skipped, with the reason printed, where Chromium is missing.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { createVae, decodeLatents, makeConfig, Trainer, Vae, writeExplorer } from '../lib/index';
import { findChromium, HEADLESS_ARGS } from '../lib/plot/plotly_static';
import { realMnist, smallMnist, useBackend } from './helpers';

declare const window: any;
declare const document: any;

const BOUND = 0.02; // the page's decoder against the library's (test/explorer.test.ts), plus the canvas's 8 bits below
const chromiumPath = findChromium();
if (!chromiumPath) console.log('explorer in a browser: skipped, Chromium not installed (apt-get install chromium)');

useBackend();

(chromiumPath ? describe : describe.skip)('the explorer in a browser (file://, no network)', () => {
  let browser: Browser;
  const models: Vae[] = [];
  const pages: Record<string, { file: string; model: Vae }> = {};

  beforeAll(async () => {
    const data = { ...smallMnist(4000, 100), test: realMnist().test };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-browser-'));
    for (const dimZ of [2, 5]) {
      const config = makeConfig({ dimZ, nHidden: 128, numEpochs: 1 });
      const model = createVae(config, dimZ);
      await new Trainer(model, config, { train: data.train, test: smallMnist(10, 100).test }).fit();
      models.push(model);
      fs.mkdirSync(path.join(dir, `z${dimZ}`));
      const { file } = writeExplorer(path.join(dir, `z${dimZ}`), { model, test: data.test, title: `dim_z ${dimZ}`, description: 'a test run', klPerDim: Array(dimZ).fill(0.5) });
      pages[`z${dimZ}`] = { file, model };
    }
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath!, args: HEADLESS_ARGS });
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    models.forEach((m) => m.dispose());
  });

  /** Opens a page; `problems` collects console errors, page errors and any request that is not the file itself. */
  async function open(name: string): Promise<{ page: Page; problems: string[] }> {
    const problems: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://') && url.endsWith('explorer.html')) return route.continue();
      problems.push(`request: ${url}`);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`file://${pages[name].file}`);
    await page.waitForFunction(() => window.vaeExplorer !== undefined);
    return { page, problems };
  }

  /** The digit canvas as a person sees it: the gray of each of the 28 x 28 cells at its centre, in [0, 1]. */
  const shown = (page: Page): Promise<number[]> =>
    page.evaluate(() => {
      const c = document.getElementById('digit');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const cell = c.width / 28, out: number[] = [];
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(data[4 * (Math.floor((y + 0.5) * cell) * c.width + Math.floor((x + 0.5) * cell))] / 255);
      return out;
    });

  async function expectLibraryImage(page: Page, model: Vae): Promise<void> {
    const z: number[] = await page.evaluate(() => window.vaeExplorer.getZ());
    const reference = decodeLatents(model, Float32Array.from(z));
    const got = await shown(page);
    let worst = 0;
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference[i]))));
    expect(worst).toBeLessThanOrEqual(BOUND + 0.5 / 255);
  }

  test('a slider redraws the digit at once; the canvas is the library decode of the page\'s z', async () => {
    const { page, problems } = await open('z5');
    expect(await page.locator('#sliders input[type=range]').count()).toBe(5);
    const before = await shown(page);
    expect(Math.max(...before)).toBeGreaterThan(0.5); // test image 0's code decodes to ink
    await expectLibraryImage(page, pages.z5.model);
    const slider = page.locator('#sliders input[type=range]').nth(1);
    await slider.fill('2.5');
    expect((await page.evaluate(() => window.vaeExplorer.getZ()))[1]).toBeCloseTo(2.5, 5);
    const after = await shown(page);
    expect(after.some((v, i) => Math.abs(v - before[i]) > 0.1)).toBe(true);
    await expectLibraryImage(page, pages.z5.model);
    await expect(page.locator('#sliders output').nth(1).textContent()).resolves.toBe('+2.50');
    // Another test image's code, by index.
    await page.fill('#index', '1234');
    await page.click('#go');
    await expect(page.locator('#picked').textContent()).resolves.toMatch(/^the code E\[z\|x\] of test image 1234 \(a \d\)$/);
    await expectLibraryImage(page, pages.z5.model);
    // The interpolation strip has ink in each of its 10 images.
    const inked = await page.evaluate(() => {
      const c = document.getElementById('strip'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      return Array.from({ length: 10 }, (_, k) => {
        let ink = 0;
        for (let y = 0; y < c.height; y++) for (let x = k * 56; x < (k + 1) * 56; x++) if (d[4 * (y * c.width + x)] > 128) ink++;
        return ink;
      });
    });
    expect(inked.every((n: number) => n > 20)).toBe(true);
    expect(problems).toEqual([]);
  }, 60000);

  test.each(['10000', '-1', '2.5', 'abc', ''])('test image index %j is refused with a message; the digit stays as it was', async (value) => {
    const { page, problems } = await open('z5');
    const before = await shown(page);
    await page.evaluate((v) => { document.getElementById('index').type = 'text'; document.getElementById('index').value = v; }, value);
    await page.click('#go');
    await expect(page.locator('#message').textContent()).resolves.toBe(`A test image index must be a whole number from 0 to 9999, got "${value}".`);
    expect(await shown(page)).toEqual(before);
    await page.fill('#from', '20000');
    await page.click('#interpolate');
    await expect(page.locator('#message').textContent()).resolves.toBe('A test image index must be a whole number from 0 to 9999, got "20000".');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 30000);

  test('dim_z 2: hovering the plane decodes the point under the mouse', async () => {
    const { page, problems } = await open('z2');
    const plane = page.locator('#plane');
    const box = (await plane.boundingBox())!;
    const images: number[][] = [];
    const border = 1; // the canvas's CSS border: the plane is the 340 x 340 inside it
    for (const [fx, fy] of [[0.25, 0.3], [0.75, 0.7]]) {
      await page.mouse.move(box.x + border + fx * 340, box.y + border + fy * 340);
      const z: number[] = await page.evaluate(() => window.vaeExplorer.getZ());
      // The point under the mouse: the page's axes map z back onto where the mouse is; z0 grows to the right, z1 upwards.
      const [px, py]: number[] = await page.evaluate((p) => window.vaeExplorer.planePoint(p), z);
      // (Within a pixel and a half: mouse events carry whole CSS pixels, the layout fractions of one.)
      expect(Math.abs(px - fx * 340)).toBeLessThan(1.5);
      expect(Math.abs(py - fy * 340)).toBeLessThan(1.5);
      expect(Math.sign(z[0])).toBe(fx < 0.5 ? -1 : 1);
      expect(Math.sign(z[1])).toBe(fy < 0.5 ? 1 : -1);
      await expectLibraryImage(page, pages.z2.model);
      images.push(await shown(page));
    }
    expect(images[0].some((v, i) => Math.abs(v - images[1][i]) > 0.1)).toBe(true);
    // The plane shows the test codes in colour.
    const colours = await page.evaluate(() => {
      const c = document.getElementById('plane'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<string>();
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[i + 1]) > 40 || Math.abs(d[i + 1] - d[i + 2]) > 40) seen.add(`${d[i] >> 5},${d[i + 1] >> 5},${d[i + 2] >> 5}`);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(5);
    expect(problems).toEqual([]);
  }, 60000);
});
