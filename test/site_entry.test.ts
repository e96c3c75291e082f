// What the site's index says of a notebook (lib/web/site.ts), from synthetic notebooks: title,
// summary, the thumbnail chosen and its size, the explorers found, and the index page's HTML.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { embeddedPageHtml, figureHtml, PLOTLY_BESIDE } from '../lib/web/notebook_html';
import { Notebook, siteEntry, siteIndexHtml, THUMB_BOX, thumbnailPng, writeSiteFiles } from '../lib/web/site';

/** A w x h PNG, one gray value. */
function png(w: number, h: number, gray: number): Buffer {
  const p = new PNG({ width: w, height: h });
  p.data.fill(gray);
  for (let i = 3; i < p.data.length; i += 4) p.data[i] = 255;
  return PNG.sync.write(p);
}
const size = (b: Buffer) => ({ w: b.readUInt32BE(16), h: b.readUInt32BE(20) });
const grayOf = (b: Buffer) => PNG.sync.read(b).data[0];

const intro = '# A *title*\n\nA first paragraph.\n\n**What we test.** The `--KL_beta` flag, *binarized* MNIST and [a link](x.html).\n';
const fig = { data: [{ type: 'scatter', x: [1], y: [1] }], layout: { width: 400, height: 300 } };
const notebook = (tagged: boolean): Notebook => ({
  cells: [
    { cell_type: 'markdown', source: intro },
    { cell_type: 'code', source: '', outputs: [{ data: { 'text/html': figureHtml(fig, 'f', png(400, 300, 10)) } }] },
    { cell_type: 'code', source: '', metadata: { tags: tagged ? ['thumbnail'] : [] }, outputs: [{ data: { 'image/png': png(100, 50, 200).toString('base64') } }] },
    { cell_type: 'code', source: '', outputs: [{ data: { 'text/html': embeddedPageHtml('<!doctype html><p>one</p>', 'e', { png: png(960, 700, 90), width: 960, height: 700 }, 'explorer') } }] },
    { cell_type: 'code', source: '', outputs: [{ data: { 'text/html': embeddedPageHtml('<!doctype html><p>two</p>', 'e2', null, 'explorer') } }] },
  ],
});

describe('the site index (lib/web/site.ts)', () => {
  test('title from the heading, summary from "What we test" as plain text, explorers in order', () => {
    const e = siteEntry('01_x', notebook(false));
    expect(e.title).toBe('A title');
    expect(e.summary).toBe('The --KL_beta flag, binarized MNIST and a link.');
    expect(e.explorers).toEqual(['<!doctype html><p>one</p>', '<!doctype html><p>two</p>']);
  });

  test('the thumbnail: the tagged cell\'s picture, else the largest, fitted in the box and never enlarged', () => {
    const tagged = siteEntry('n', notebook(true)).thumbnail!;
    expect(size(tagged)).toEqual({ w: 100, h: 50 });
    expect(grayOf(tagged)).toBe(200);
    const largest = siteEntry('n', notebook(false)).thumbnail!;
    expect(grayOf(largest)).toBe(90); // the explorer's 960 x 700 shot
    expect(size(largest)).toEqual({ w: THUMB_BOX.width, h: Math.round(700 * (THUMB_BOX.width / 960)) });
    expect(size(thumbnailPng(png(1000, 100, 0)))).toEqual({ w: THUMB_BOX.width, h: 32 });
    expect(siteEntry('n', { cells: [{ cell_type: 'markdown', source: 'no heading' }] })).toMatchObject({ title: 'n', summary: 'no heading', thumbnail: null, explorers: [] });
  });

  test('the index links each notebook, its thumbnail and its explorers, escaped', () => {
    const e = { ...siteEntry('01_x', notebook(false)), title: 'a <b> & c' };
    const html = siteIndexHtml([e], 'made <today>');
    expect(html).toContain('<h2><a href="01_x.html">a &lt;b&gt; &amp; c</a></h2>');
    expect(html).toContain('<img src="thumbnails/01_x.png"');
    expect(html).toContain('<a href="explorers/01_x-1.html">explorer 1</a> · <a href="explorers/01_x-2.html">explorer 2</a>');
    expect(html).toContain('made &lt;today&gt;');
    expect(html).not.toMatch(/https?:\/\//);
  });

  test('writeSiteFiles writes the index, thumbnails, explorers and Plotly beside them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'site-files-'));
    writeSiteFiles(dir, [siteEntry('01_x', notebook(true))], 'made');
    expect(fs.readdirSync(dir).sort()).toEqual(['explorers', 'index.html', PLOTLY_BESIDE, 'thumbnails'].sort());
    expect(fs.readFileSync(path.join(dir, 'explorers', '01_x-2.html'), 'utf8')).toBe('<!doctype html><p>two</p>');
    expect(size(fs.readFileSync(path.join(dir, 'thumbnails', '01_x.png')))).toEqual({ w: 100, h: 50 });
  });
});
