// Static copies drawn in headless Chromium: a figure's PNG as Plotly draws it, a page's screenshot,
// both reduced to 256 colours. Skipped, with the reason printed, where Chromium is missing.
import { PNG } from 'pngjs';
import { findChromium, launchPlotlyRenderer, lossCurvesFigure, palettePng, PlotlyRenderer } from '../lib/index';

const chromium = findChromium();
if (!chromium) console.log('static figures: skipped, Chromium not installed (apt-get install chromium)');

/** Distinct RGBA colours of a PNG. */
const colours = (png: Buffer) => {
  const { data } = PNG.sync.read(png);
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i += 4) seen.add(data.readUInt32BE(i));
  return seen.size;
};

describe('palettePng', () => {
  test('a picture of many colours comes back with at most 256, the same size, each pixel close to its original', () => {
    const png = new PNG({ width: 64, height: 64 });
    for (let i = 0; i < 64 * 64; i++) png.data.set([i % 256, (i * 7) % 256, Math.floor(i / 16), 255], 4 * i);
    const before = PNG.sync.write(png);
    expect(colours(before)).toBeGreaterThan(1000);
    const after = palettePng(before);
    expect(colours(after)).toBeLessThanOrEqual(256);
    const a = PNG.sync.read(after);
    expect([a.width, a.height]).toEqual([64, 64]);
    let worst = 0;
    for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - png.data[i]));
    expect(worst).toBeLessThan(64);
  });
});

(chromium ? describe : describe.skip)('static copies in Chromium', () => {
  let r: PlotlyRenderer;
  beforeAll(async () => {
    r = await launchPlotlyRenderer();
  }, 60000);
  afterAll(() => r?.close());

  test('a figure at its layout size, in at most 256 colours, with its curves drawn', async () => {
    const fig = lossCurvesFigure([{ name: 'a', history: [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 200 - epoch, trainRecon: 0, trainKl: 0, test: { loss: 190 - epoch, recon: 0, kl: 0 }, seconds: 1 })) }]);
    const png = await r.png(fig);
    const { width, height, data } = PNG.sync.read(png);
    expect([width, height]).toEqual([fig.layout.width, fig.layout.height]);
    expect(colours(png)).toBeLessThanOrEqual(256);
    let blue = 0; // the run's colour, #1f77b4
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 0x1f) < 20 && Math.abs(data[i + 1] - 0x77) < 20 && Math.abs(data[i + 2] - 0xb4) < 20) blue++;
    expect(blue).toBeGreaterThan(200);
  }, 30000);

  test('a page as it looks once its scripts ran, its full height', async () => {
    const html = '<!doctype html><body style="margin:0"><div id="d" style="height:1500px;background:#fff"></div>' +
      '<script>document.getElementById("d").style.background = "#d62728";</script></body>';
    const shot = await r.pagePng(html, 400);
    expect([shot.width, shot.height]).toEqual([400, 1500]);
    const { width, height, data } = PNG.sync.read(shot.png);
    expect([width, height]).toEqual([400, 1500]);
    expect([data[0], data[1], data[2]]).toEqual([0xd6, 0x27, 0x28]); // drawn after the script ran
  }, 30000);
});
