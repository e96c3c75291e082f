// The explorer's page template: HTML and CSS around the data (ExplorerMeta as JSON, the packed
// bytes as base64) and lib/web/explorer_page.js, inlined so that the page needs nothing else.
import * as fs from 'fs';
import * as path from 'path';
import { escapeXml } from '../plot/images';
import { ExplorerMeta, WeightFormat } from './explorer_codec';
import { scriptJson } from './html';

const PAGE_SCRIPT = path.join(__dirname, 'explorer_page.js');

const WEIGHT_WORDS: Record<WeightFormat, string> = { float32: '32 bits', int8: '8 bits with a scale per column', float16: '16 bits' };

/** The page: its HTML and CSS, the data (meta as JSON, the packed bytes as base64) and its script. */
export function pageHtml(meta: ExplorerMeta, data: string): string {
  const plane = meta.dimZ === 2
    ? `<section class="plane"><h2>The latent plane</h2><canvas id="plane" width="340" height="340"></canvas><div id="legend"></div>
<p class="note">${meta.testImages ? `The ${meta.testImages.toLocaleString('en-US')} test images at their codes E[z|x], by digit. ` : ''}Move the mouse over the plane: the digit decodes the point under it.</p></section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(meta.title)} — VAE explorer</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 12px; color: #222; max-width: 960px; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 14px 0 6px; }
.row { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
#digit { width: 224px; height: 224px; image-rendering: pixelated; border: 1px solid #888; }
#sliders { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 2px 14px; max-height: 360px; overflow-y: auto; min-width: 260px; flex: 1; }
.slider { display: grid; grid-template-columns: 70px 1fr 44px; align-items: center; font-size: 12px; }
.slider input { width: 100%; } .kl { color: #777; font-size: 11px; } output { font-variant-numeric: tabular-nums; text-align: right; }
#message { color: #b00; min-height: 1.2em; margin: 4px 0; } .note, #picked, #zText { color: #555; font-size: 12px; }
#zText { max-width: 224px; word-break: break-all; } input[type=number] { width: 70px; }
#strip { image-rendering: pixelated; border: 1px solid #888; max-width: 100%; }
#plane { border: 1px solid #888; cursor: crosshair; } #legend span { margin-right: 8px; font-size: 12px; }
#legend i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; vertical-align: middle; }
</style></head>
<body>
<h1>${escapeXml(meta.title)}</h1>
<p class="note">${escapeXml(meta.description)}</p>
<div class="controls">
  test image <input id="index" type="number" min="0" max="${Math.max(0, meta.testImages - 1)}" step="1" value="0">
  <button id="go">decode its code</button> <button id="random">a random one</button> <button id="zero">z = 0</button>
</div>
<p id="message" role="alert"></p>
<div class="row">
  <div><canvas id="digit" width="224" height="224"></canvas><div id="picked"></div><div id="zText"></div></div>
  <div id="sliders"></div>
  ${plane}
</div>
<h2>Interpolation (linear in z)</h2>
<div>from test image <input id="from" type="number" min="0" value="0"> to <input id="to" type="number" min="0" value="1">
<button id="interpolate">interpolate</button></div>
<canvas id="strip" width="${meta.interpolationSteps * 56}" height="56"></canvas>
<p class="note">The decoder runs in this page: its weights are stored in ${meta.layers.map((l) => WEIGHT_WORDS[l.weights]).join(', ')} (layer by layer), the codes in 8 bits.
Measured when the page was written: the largest difference from the full-precision decoder is ${meta.maxPixelError.toFixed(4)}
(pixel values in [0, 1]) over ${meta.errorSamples} latent points. Written by vae-mnist-ts.</p>
<script type="application/json" id="explorer-meta">${scriptJson(meta)}</script>
<script type="application/octet-stream" id="explorer-data">${data}</script>
<script>${fs.readFileSync(PAGE_SCRIPT, 'utf8').replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
}

