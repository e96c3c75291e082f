// `npm run bench-explorer [-- RUN_DIR ...]`: the explorer page's size and speed in headless
// Chromium. For each run directory (default: a fresh seed-sized model, n_hidden 500, for dim_z 2
// and 20, with the 10,000 test codes) it writes the page to a temporary directory, opens it from
// file:// and reports: bytes, ms per decode, redraws per second when a slider moves (input events
// dispatched back to back: decode, draw, labels), and the frame rate when z changes every
// animation frame. Run it on a quiet machine; nothing else should be timed at the same time.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkpointOf, createVae, findChromium, HEADLESS_ARGS, initBackend, loadCheckpoint, loadMnist, makeConfig, Vae, writeExplorer } from '../lib/index';

declare const window: any;
declare const document: any;
declare const requestAnimationFrame: (f: () => void) => number;

async function main(): Promise<void> {
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    console.error('error: Chromium not found (Debian: apt-get install chromium; or set VAE_CHROMIUM)');
    process.exit(2);
  }
  await initBackend();
  const test = loadMnist().test;
  const dirs = process.argv.slice(2);
  const models: { name: string; model: Vae }[] = dirs.length
    ? dirs.map((d) => ({ name: path.basename(path.resolve(d)), model: loadCheckpoint(checkpointOf(d)).model }))
    : [2, 20].map((dimZ) => ({ name: `seed-sized, dim_z ${dimZ} (untrained)`, model: createVae(makeConfig({ dimZ, nHidden: 500 }), 1) }));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: HEADLESS_ARGS });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-explorer-'));
  console.log(`explorer in ${(await browser.version())} headless, ${os.cpus()[0].model}`);
  try {
    for (const [i, { name, model }] of models.entries()) {
      const dir = path.join(tmp, String(i));
      fs.mkdirSync(dir);
      const ex = writeExplorer(dir, { model, test, title: name, description: 'benchmark' });
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      await page.route(/^https?:/, (r) => r.abort());
      await page.goto(`file://${ex.file}`);
      await page.waitForFunction(() => window.vaeExplorer !== undefined);
      const r = await page.evaluate(async () => {
        const ex = window.vaeExplorer, dimZ = ex.dimZ;
        const point = () => Array.from({ length: dimZ }, () => Math.random() * 4 - 2);
        // Decoding alone.
        let t0 = performance.now(), n = 0;
        while (performance.now() - t0 < 1000) { ex.decode(point()); n++; }
        const msPerDecode = (performance.now() - t0) / n;
        // A slider moved: input events back to back, each redrawing the digit.
        const slider = document.querySelector('#sliders input[type=range]');
        const before = ex.redraws();
        t0 = performance.now();
        while (performance.now() - t0 < 2000) {
          slider.value = String(Math.random() * 4 - 2);
          slider.dispatchEvent(new Event('input', { bubbles: true }));
        }
        const sliderPerSecond = (ex.redraws() - before) / ((performance.now() - t0) / 1000);
        // z changed on every animation frame, as a dragged slider or a moving mouse does.
        const frames = await new Promise<number>((resolve) => {
          let count = 0;
          const start = performance.now();
          const step = () => {
            ex.setZ(point());
            count++;
            if (performance.now() - start < 2000) requestAnimationFrame(step);
            else resolve(count / ((performance.now() - start) / 1000));
          };
          requestAnimationFrame(step);
        });
        return { msPerDecode, sliderPerSecond, frames };
      });
      console.log(`${name}: ${(ex.bytes / 1e6).toFixed(2)} MB, decoder within ${ex.meta.maxPixelError.toFixed(4)} per pixel; ` +
        `decode ${r.msPerDecode.toFixed(2)} ms; slider redraws ${r.sliderPerSecond.toFixed(0)}/s; ${r.frames.toFixed(0)} frames/s with z changing every frame`);
      await page.close();
      model.dispose();
    }
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
