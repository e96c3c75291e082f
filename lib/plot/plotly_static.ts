// Static copies of Plotly figures and of whole pages: PNG bytes drawn by Plotly itself (or the
// page itself) in headless Chromium (driven by playwright-core), so a static copy and its
// interactive version come from one source. Chromium is Debian's (or $VAE_CHROMIUM); where none
// is installed there is no static copy.
import * as fs from 'fs';
import type { Browser, Page } from 'playwright-core';
import UPNG from 'upng-js';
import { PlotlyFigure } from './plotly';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Chromium's executable: $VAE_CHROMIUM, else the first of the usual Linux paths that exists. */
export function findChromium(): string | null {
  const given = process.env.VAE_CHROMIUM;
  if (given) return fs.existsSync(given) ? given : null;
  return CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** Flags for a headless Chromium on a machine without a display or a network. */
export const HEADLESS_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** The minified Plotly bundle the notebooks load (cartesian traces: scatter, heatmap, ...). */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-cartesian-dist-min/plotly-cartesian.min.js');
}

/**
 * A screenshot as a PNG of at most 256 colours (upng-js's quantiser): a figure or a page has few
 * colours beyond its anti-aliasing, and keeps its look at about a third of the bytes.
 */
export function palettePng(png: Buffer): Buffer {
  const img = UPNG.decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer);
  return Buffer.from(UPNG.encode(UPNG.toRGBA8(img), img.width, img.height, 256));
}

export interface PlotlyRenderer {
  /** The figure as PNG at its layout's width and height (`scale` times as many pixels). */
  png(fig: PlotlyFigure, scale?: number): Promise<Buffer>;
  /** A self-contained page (no network) as it looks `width` px wide once its scripts ran: its full height. */
  pagePng(html: string, width: number): Promise<{ png: Buffer; width: number; height: number }>;
  close(): Promise<void>;
}

/** Starts Chromium with Plotly loaded in a blank page; throws when Chromium is missing or fails. */
export async function launchPlotlyRenderer(): Promise<PlotlyRenderer> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found (Debian: apt-get install chromium; or set VAE_CHROMIUM to its path)');
  const { chromium } = await import('playwright-core');
  const browser: Browser = await chromium.launch({ executablePath, args: HEADLESS_ARGS });
  try {
    const page: Page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: fs.readFileSync(plotlyBundlePath(), 'utf8') });
    return {
      async png(fig, scale = 1) {
        const url: string = await page.evaluate(
          ([data, layout, s]) => {
            const P = (globalThis as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly;
            const l = layout as { width?: number; height?: number };
            return P.toImage({ data, layout }, { format: 'png', width: l.width ?? 700, height: l.height ?? 450, scale: s });
          },
          [fig.data, fig.layout, scale] as const,
        );
        return palettePng(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
      },
      async pagePng(html, width) {
        const p = await browser.newPage({ viewport: { width, height: 600 } });
        try {
          await p.route('**/*', (r) => r.abort()); // self-contained: nothing to fetch
          await p.setContent(html, { waitUntil: 'load' });
          const height: number = await p.evaluate('document.documentElement.scrollHeight');
          return { png: palettePng(await p.screenshot({ fullPage: true })), width, height };
        } finally {
          await p.close();
        }
      },
      close: () => browser.close(),
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
