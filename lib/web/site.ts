// The notebooks as a static site (`npm run site`): what each committed notebook is (its title, its
// "What we test" paragraph, a thumbnail, the explorers it embeds) read from the .ipynb itself, and
// the index page that links the notebooks' HTML exports (nbconvert, made by scripts/site.ts) and
// the explorers. Every file the site needs is written beside the pages: Plotly (PLOTLY_BESIDE,
// which the saved notebooks' loader looks for), the explorers, the thumbnails; nothing is fetched
// from a network, so the folder works from file:// and on any static host.
import { Resvg } from '@resvg/resvg-js';
import * as fs from 'fs';
import * as path from 'path';
import { escapeXml } from '../plot/images';
import { palettePng, plotlyBundlePath } from '../plot/plotly_static';
import { writeFileAtomic } from '../runs/files';
import { PLOTLY_BESIDE } from './notebook_html';

/** The box, in pixels, the index's thumbnails fit in. */
export const THUMB_BOX = { width: 320, height: 240 };
/** A cell tag (Jupyter's cell metadata `tags`) that picks the cell whose first picture is the notebook's thumbnail. */
export const THUMBNAIL_TAG = 'thumbnail';

interface NbOutput { data?: Record<string, string | string[]> }
interface NbCell { cell_type: string; source: string | string[]; outputs?: NbOutput[]; metadata?: { tags?: string[] } }
export interface Notebook { cells: NbCell[] }

export interface SiteEntry {
  name: string; // the notebook's file name without .ipynb
  title: string; // its first Markdown heading
  summary: string; // its "What we test" paragraph, as plain text
  thumbnail: Buffer | null; // a picture of its outputs (PNG) fitted in THUMB_BOX
  explorers: string[]; // the pages its outputs embed (explorer HTML), in order
}

const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');

/** Markdown inline marks dropped: the index shows plain text. */
const plain = (md: string) => md.replace(/[*`]|\b_|_\b/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\s+/g, ' ').trim();

/** The pictures of one output: a PNG output, or the static PNGs inside an HTML output (figures, page shots). */
function pictures(o: NbOutput): Buffer[] {
  if (o.data?.['image/png']) return [Buffer.from(text(o.data['image/png']), 'base64')];
  return [...text(o.data?.['text/html']).matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64'));
}

/** The page an embedded-page output carries (lib/web/notebook_html.ts embeddedPageHtml), or null. */
export function embeddedPage(o: NbOutput): string | null {
  const m = /f\.srcdoc=("(?:[^"\\]|\\.)*")/.exec(text(o.data?.['text/html']));
  return m ? (JSON.parse(m[1]) as string) : null;
}

/** A PNG scaled to fit in `box` (never enlarged), in at most 256 colours. */
export function thumbnailPng(png: Buffer, box = THUMB_BOX): Buffer {
  const w = png.readUInt32BE(16), h = png.readUInt32BE(20);
  const scale = Math.min(1, box.width / w, box.height / h);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><image width="${w}" height="${h}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  return palettePng(new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: scale } }).render().asPng());
}

/**
 * What the index says of a notebook: its heading, its "What we test" paragraph (else the first
 * paragraph after the heading), as thumbnail the first picture of the cell tagged THUMBNAIL_TAG
 * (else the notebook's largest picture), and the explorers it embeds.
 */
export function siteEntry(name: string, nb: Notebook): SiteEntry {
  const intro = text(nb.cells.find((c) => c.cell_type === 'markdown')?.source);
  const title = plain(/^#\s+(.+)$/m.exec(intro)?.[1] ?? name);
  const paragraphs = intro.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p && !p.startsWith('#'));
  const summary = plain((paragraphs.find((p) => /^\*\*What we test/.test(p)) ?? paragraphs[0] ?? '').replace(/^\*\*What we test\.?\*\*\s*/, ''));
  const tagged = nb.cells.find((c) => c.metadata?.tags?.includes(THUMBNAIL_TAG));
  const all = nb.cells.flatMap((c) => (c.outputs ?? []).flatMap(pictures));
  const chosen = (tagged && (tagged.outputs ?? []).flatMap(pictures)[0]) || all.sort((a, b) => b.length - a.length)[0];
  const explorers = nb.cells.flatMap((c) => (c.outputs ?? []).map(embeddedPage)).filter((p): p is string => p !== null);
  return { name, title, summary, thumbnail: chosen ? thumbnailPng(chosen) : null, explorers };
}

/** Where the site keeps a notebook's files, relative to the index. */
export const sitePaths = (e: Pick<SiteEntry, 'name'>) => ({
  page: `${e.name}.html`,
  thumbnail: `thumbnails/${e.name}.png`,
  explorer: (k: number) => `explorers/${e.name}-${k + 1}.html`,
});

/** The index page: one card per notebook (thumbnail, title, what it tests, links), and how the site was made. */
export function siteIndexHtml(entries: SiteEntry[], made: string): string {
  const card = (e: SiteEntry) => {
    const p = sitePaths(e);
    const explorers = e.explorers.map((_, k) => `<a href="${p.explorer(k)}">explorer${e.explorers.length > 1 ? ` ${k + 1}` : ''}</a>`).join(' · ');
    return (
      `<article><a href="${p.page}">${e.thumbnail ? `<img src="${p.thumbnail}" alt="${escapeXml(e.title)}">` : ''}</a>` +
      `<div><h2><a href="${p.page}">${escapeXml(e.title)}</a></h2><p>${escapeXml(e.summary)}</p>` +
      `<p class="links"><a href="${p.page}">the notebook</a>${explorers ? ` · ${explorers}` : ''}</p></div></article>`
    );
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>vae-mnist-ts: the notebooks</title>
<style>
body { font: 16px/1.5 "DejaVu Sans", Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
article { display: flex; gap: 1.5em; align-items: flex-start; border-top: 1px solid #ddd; padding: 1.2em 0; }
article > a { flex: none; width: ${THUMB_BOX.width}px; }
article img { border: 1px solid #ddd; max-width: 100%; }
h2 { margin: 0 0 0.3em; font-size: 1.2em; }
.links, footer { color: #555; }
</style></head><body>
<h1>Variational Auto-Encoder for MNIST: the notebooks</h1>
<p>The experiments of Kingma &amp; Welling's <i>Auto-Encoding Variational Bayes</i> (2013) as run by vae-mnist-ts, one notebook each,
with their outputs as committed. Figures are interactive (hover, zoom, click the legend); each explorer decodes the latent space in the page.
Nothing here needs a server or a network.</p>
${entries.map(card).join('\n')}
<footer><p>${escapeXml(made)}</p></footer>
</body></html>
`;
}

/**
 * Writes the site's own files into `dir` (the notebooks' HTML exports are scripts/site.ts's):
 * index.html, a thumbnail per notebook, each embedded explorer as a page, and Plotly beside the pages.
 */
export function writeSiteFiles(dir: string, entries: SiteEntry[], made: string): void {
  for (const e of entries) {
    const p = sitePaths(e);
    if (e.thumbnail) writeFileAtomic(path.join(dir, p.thumbnail), e.thumbnail);
    e.explorers.forEach((html, k) => writeFileAtomic(path.join(dir, p.explorer(k)), html));
  }
  fs.copyFileSync(plotlyBundlePath(), path.join(dir, PLOTLY_BESIDE));
  writeFileAtomic(path.join(dir, 'index.html'), siteIndexHtml(entries, made));
}
