// Notebook outputs that read everywhere: what the HTML holds for a figure, the Plotly loader, tables.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { embeddedPageHtml, figureHtml, htmlTable, PLOTLY_BESIDE, plotlyBundlePath, plotlyLoaderHtml, PlotlyFigure } from '../lib/index';

const fig: PlotlyFigure = { data: [{ type: 'scatter', x: [1], y: [2], name: '</script><b>' }], layout: { width: 500, height: 300, title: { text: 'a "title"' } } };

describe('notebook HTML', () => {
  test('a figure is its static PNG (data URI, at the layout size) and a script that makes it interactive', () => {
    const html = figureHtml(fig, 'f1', Buffer.from('PNGBYTES'));
    expect(html).toContain(`<img src="data:image/png;base64,${Buffer.from('PNGBYTES').toString('base64')}" width="500" height="300" alt="a &quot;title&quot;">`);
    expect(html).toMatch(/<script type="text\/javascript">.*newPlot\(d,/);
    // The spec cannot close the script early.
    expect(html.split('</script>')).toHaveLength(2);
    expect(html).toContain('\\u003c/script>\\u003cb>');
  });

  test('an embedded page is its static PNG, and a script that puts the page (carried whole, unable to close the script) in an iframe', () => {
    const page = '<!doctype html><p>page</p><script>var x = "</script>";</script>';
    const html = embeddedPageHtml(page, 'e1', { png: Buffer.from('SHOT'), width: 960, height: 800 }, 'explorer');
    expect(html).toContain(`<img src="data:image/png;base64,${Buffer.from('SHOT').toString('base64')}" width="960" height="800" alt="explorer (a static image)">`);
    expect(html).toContain('A static image of the explorer: run this cell, or trust the notebook');
    expect(html.split('</script>')).toHaveLength(2); // the page's own script tags are escaped inside
    const carried = JSON.parse(/f\.srcdoc=("(?:[^"\\]|\\.)*")/.exec(html)![1]);
    expect(carried).toBe(page);
    expect(html).toContain("height:820px");
    expect(embeddedPageHtml(page, 'e2', null, 'explorer')).toMatch(/explorer: no static image \(Chromium was not found/);
  });

  test('a figure without a static copy says why', () => {
    expect(figureHtml(fig, 'f2', null)).toMatch(/no static copy \(Chromium was not found/);
  });

  test('the loader carries the Plotly bundle gzipped, and says it is not running until its script runs', () => {
    const html = plotlyLoaderHtml('p');
    const packed = /atob\("([A-Za-z0-9+/=]+)"\)/.exec(html)![1];
    const bundle = fs.readFileSync(plotlyBundlePath());
    expect(zlib.gunzipSync(Buffer.from(packed, 'base64')).equals(bundle)).toBe(true);
    expect(html.length).toBeLessThan(bundle.length * 0.5);
    expect(html).toMatch(/^<div id="p-status"[^>]*>Plotly is not running here/);
  });

  test('a saved notebook\'s loader does not carry Plotly: it loads the file beside the page, hidden from an AMD loader, and says what to do without it', () => {
    const html = plotlyLoaderHtml('p', false);
    expect(html.length).toBeLessThan(3000);
    expect(html).not.toMatch(/atob|DecompressionStream/);
    expect(html).toContain(`s.src="${PLOTLY_BESIDE}"`);
    expect(html).toMatch(/window\.define=undefined;.*window\.define=d/);
    expect(html).toMatch(/^<div id="p-status"[^>]*>Plotly is not running here.*Run the notebook, or read its page on the site \(npm run site\)/);
    expect(html).toContain(`no ${PLOTLY_BESIDE} beside this page`);
    expect(html.split('</script>')).toHaveLength(2);
  });

  test('tables are HTML, escaped, with a dash for a missing value', () => {
    expect(htmlTable(['a', 'b<'], [[1, null], ['x&y', 2.5]])).toBe(
      '<table><thead><tr><th>a</th><th>b&lt;</th></tr></thead><tbody><tr><td>1</td><td>–</td></tr><tr><td>x&amp;y</td><td>2.5</td></tr></tbody></table>',
    );
  });
});
