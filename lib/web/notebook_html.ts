// HTML outputs that a reader sees wherever a notebook is opened. Untrusted notebooks (classic
// Notebook, JupyterLab) and static viewers drop scripts but keep <img> with a data URI and
// <table>; so a Plotly figure is its static PNG plus a script that, where scripts run (a run cell,
// a trusted notebook, an nbconvert HTML export), puts the interactive figure in its place. Plotly
// itself travels once per live notebook, gzipped; a saved one finds it beside its page (the site).
// Pure: returns strings.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { escapeXml } from '../plot/images';
import { PlotlyFigure } from '../plot/plotly';
import { plotlyBundlePath } from '../plot/plotly_static';
import { scriptJson } from './html';

/** The page-wide promise of Plotly that the loader sets and every figure waits for. */
const GLOBAL = 'vaeMnistPlotly';

/** Where a page that does not carry Plotly looks for it: a file beside the page (the site puts it there). */
export const PLOTLY_BESIDE = 'plotly.min.js';

/**
 * The first figure cell's loader: sets the page-wide promise of Plotly once; the text says whether
 * it loaded. `carry` (a live notebook): Plotly's bundle travels inside, gzipped and base64-encoded
 * (≈ 0.66 MB instead of 1.5 MB), unpacked with DecompressionStream, so figures are interactive
 * wherever the kernel runs. Otherwise (what `npm run notebooks` saves): Plotly is looked for
 * beside the page (PLOTLY_BESIDE, as on the site), which keeps each saved notebook 0.66 MB
 * smaller; where it is not there, the figures stay their static images and the text says so.
 * Without scripts (an untrusted notebook, a static viewer) the text says why figures are static.
 */
export function plotlyLoaderHtml(id: string, carry = true): string {
  const status = `${id}-status`;
  const load = carry
    ? `(function(){var b=atob(${scriptJson(zlib.gzipSync(fs.readFileSync(plotlyBundlePath()), { level: 9 }).toString('base64'))});var u=new Uint8Array(b.length);` +
      'for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);' +
      "return new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(function(code){" +
      "new Function('define','module','exports',code).call(window);return window.Plotly;});})()"
    : // Hidden from an AMD loader (nbconvert's pages have require.js), Plotly's bundle sets window.Plotly.
      `(window.Plotly?Promise.resolve(window.Plotly):new Promise(function(ok,fail){var s=document.createElement('script'),d=window.define;` +
      `window.define=undefined;s.src=${scriptJson(PLOTLY_BESIDE)};s.onload=function(){window.define=d;window.Plotly?ok(window.Plotly):fail('${PLOTLY_BESIDE} holds no Plotly');};` +
      `s.onerror=function(){window.define=d;fail('no ${PLOTLY_BESIDE} beside this page: this saved notebook does not carry Plotly; run it, or read it on the site');};` +
      'document.head.appendChild(s);}))';
  const untrusted = carry
    ? 'Run this cell, or trust the notebook (File &gt; Trust Notebook), to make them interactive.'
    : 'Run the notebook, or read its page on the site (npm run site), to make them interactive.';
  return (
    `<div id="${status}" style="color:#666">Plotly is not running here (scripts do not run in an untrusted notebook or a static viewer): ` +
    `the figures below are static images. ${untrusted}</div>` +
    `<script type="text/javascript">(function(){var el=document.getElementById(${scriptJson(status)});` +
    `if(!window.${GLOBAL})window.${GLOBAL}=${load};` +
    `window.${GLOBAL}.then(function(P){el.textContent='Plotly '+P.version+' loaded: the figures below are interactive (hover, zoom, click the legend).';},` +
    "function(e){el.textContent='Plotly could not load ('+e+'): the figures below stay static images.';});})();</script>"
  );
}

/**
 * A figure: its static PNG (when there is one) inside a box of the figure's size, and a script
 * that replaces it with the interactive figure once Plotly is loaded. Without a PNG, the box says
 * so until the script runs.
 */
export function figureHtml(fig: PlotlyFigure, id: string, png: Buffer | null): string {
  const w = Number(fig.layout.width ?? 700), h = Number(fig.layout.height ?? 450);
  const title = String((fig.layout.title as { text?: string } | undefined)?.text ?? 'figure');
  const inner = png
    ? `<img src="data:image/png;base64,${png.toString('base64')}" width="${w}" height="${h}" alt="${escapeXml(title)}">`
    : `<p style="color:#a00">${escapeXml(title)}: no static copy (Chromium was not found when this cell ran); it shows where scripts run.</p>`;
  return (
    `<div id="${id}" style="width:${w}px;min-height:${png ? h : 40}px">${inner}</div>` +
    `<script type="text/javascript">(function(){var p=window.${GLOBAL};if(!p)return;p.then(function(P){` +
    `var el=document.getElementById(${scriptJson(id)}),d=document.createElement('div');el.appendChild(d);` +
    `return P.newPlot(d,${scriptJson(fig.data)},${scriptJson(fig.layout)},{displaylogo:false}).then(function(){` +
    `while(el.firstChild!==d)el.removeChild(el.firstChild);});},function(){});})();</script>` // no Plotly: the loader's line says why; the image stays
  );
}

/**
 * A page of its own (the explorer) inside the notebook: its static PNG (when there is one), and a
 * script that puts the live page in an iframe in its place where scripts run. The page travels
 * in the script, so without scripts only the image is there.
 */
export function embeddedPageHtml(html: string, id: string, shot: { png: Buffer; width: number; height: number } | null, what: string): string {
  const w = shot?.width ?? 980, h = shot?.height ?? 700;
  const inner = shot
    ? `<img src="data:image/png;base64,${shot.png.toString('base64')}" width="${w}" height="${h}" alt="${escapeXml(what)} (a static image)">` +
      `<p style="color:#666">A static image of the ${escapeXml(what)}: run this cell, or trust the notebook, to use it here; or open its explorer.html.</p>`
    : `<p style="color:#a00">${escapeXml(what)}: no static image (Chromium was not found when this cell ran); it shows where scripts run.</p>`;
  return (
    `<div id="${id}" style="width:${w}px">${inner}</div>` +
    `<script type="text/javascript">(function(){var el=document.getElementById(${scriptJson(id)}),f=document.createElement('iframe');` +
    `f.setAttribute('title',${scriptJson(what)});f.style.cssText='width:${w}px;height:${h + 20}px;border:0';f.srcdoc=${scriptJson(html)};` +
    'while(el.firstChild)el.removeChild(el.firstChild);el.appendChild(f);})();</script>'
  );
}

/** An HTML table (kept by every sanitiser, unlike Markdown, which untrusted classic Notebook drops). */
export function htmlTable(header: string[], rows: (string | number | null)[][]): string {
  const cell = (tag: string, v: string | number | null) => `<${tag}>${escapeXml(v === null ? '–' : String(v))}</${tag}>`;
  return (
    '<table><thead><tr>' + header.map((h) => cell('th', h)).join('') + '</tr></thead><tbody>' +
    rows.map((r) => '<tr>' + r.map((v) => cell('td', v)).join('') + '</tr>').join('') + '</tbody></table>'
  );
}
