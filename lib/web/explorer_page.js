// The explorer page's script (plain JavaScript, no dependencies): unpacks the quantised decoder
// and the test set's codes that lib/web/explorer.ts wrote into the page, decodes latent points with a
// small forward pass, and drives the page: one slider per latent dimension, a test image's code
// as the starting point, an interpolation strip, and for a 2-D latent space the labelled plane
// that decodes the point under the mouse. Under Node it only exports the unpacking and the
// decoder, so the tests and lib/web/explorer.ts measure the page's own arithmetic.
(function () {
  'use strict';

  var IMAGE = 28;
  var PIXELS = IMAGE * IMAGE;

  /** The typed array of `segment` ({ type, offset, length }) in `bytes` (a Uint8Array). */
  function view(bytes, segment) {
    var buffer = bytes.buffer, at = bytes.byteOffset + segment.offset;
    if (segment.type === 'int8') return new Int8Array(buffer, at, segment.length);
    if (segment.type === 'uint8') return new Uint8Array(buffer, at, segment.length);
    if (segment.type === 'float32') return new Float32Array(buffer, at, segment.length);
    if (segment.type === 'float16') return new Uint16Array(buffer, at, segment.length);
    throw new Error('unknown segment type ' + segment.type);
  }

  /** int8 values times a scale per column: rows x cols, row-major. */
  function dequantize(q, scale, rows, cols) {
    var out = new Float32Array(rows * cols);
    for (var i = 0; i < rows; i++) {
      for (var j = 0; j < cols; j++) out[i * cols + j] = q[i * cols + j] * scale[j];
    }
    return out;
  }

  /** IEEE 754 half-precision bit patterns as numbers. */
  function fromFloat16(bits) {
    var out = new Float32Array(bits.length);
    for (var i = 0; i < bits.length; i++) {
      var h = bits[i], sign = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
      out[i] = e === 0 ? sign * m * Math.pow(2, -24) : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * Math.pow(2, e - 15);
    }
    return out;
  }

  /** A layer's weights as float32, from the format meta.layers[i].weights names. */
  function weights(bytes, s, l, i) {
    if (l.weights === 'int8') return dequantize(view(bytes, s['w' + i]), view(bytes, s['wScale' + i]), l.fanIn, l.fanOut);
    if (l.weights === 'float16') return fromFloat16(view(bytes, s['w' + i]));
    return view(bytes, s['w' + i]);
  }

  /**
   * What the page holds, from its metadata and bytes: the decoder's layers (weights turned into
   * float32 once), and when the run has an encoder the test images' codes (n x dimZ) and labels.
   */
  function unpack(meta, bytes) {
    var s = meta.segments;
    var layers = meta.layers.map(function (l, i) {
      return { fanIn: l.fanIn, fanOut: l.fanOut, activation: l.activation, w: weights(bytes, s, l, i), b: view(bytes, s['b' + i]) };
    });
    var codes = null, labels = null;
    if (s.codes) codes = dequantize(view(bytes, s.codes), view(bytes, s.codeScale), s.codes.length / meta.dimZ, meta.dimZ);
    if (s.labels) labels = view(bytes, s.labels);
    return { layers: layers, codes: codes, labels: labels };
  }

  /**
   * The continuous Bernoulli's mean from a logit clipped to +-clip.logit, a Taylor series below
   * |l| < clip.cbTaylor: as the library's (lib/core/likelihood.ts continuousBernoulliMeans).
   */
  function cbMean(l, clip) {
    var c = Math.max(-clip.logit, Math.min(clip.logit, l));
    if (Math.abs(c) < clip.cbTaylor) return 0.5 + c * (1 / 12 + c * c * (-1 / 720 + c * c / 30240));
    return 1 / (1 - Math.exp(-c)) - 1 / c;
  }

  /**
   * decode(z) -> the 784 means of p(x|z) (a buffer reused by the next call): dense layers
   * act(h W + b), the output through the sigmoid clipped to [clip.mean, 1 - clip.mean] as the
   * library's (Bernoulli), or the continuous Bernoulli's mean (cb_mean). `clip` is meta.clip: the
   * library's constants, written into the page (lib/core/likelihood.ts), never re-typed here.
   */
  function createDecoder(layers, clip) {
    var lo = clip.mean, hi = 1 - clip.mean;
    var buffers = layers.map(function (l) { return new Float32Array(l.fanOut); });
    return function decode(z) {
      var x = z;
      for (var k = 0; k < layers.length; k++) {
        var l = layers[k], out = buffers[k], n = l.fanOut, w = l.w;
        out.set(l.b);
        for (var i = 0; i < l.fanIn; i++) {
          var xi = x[i];
          if (xi === 0) continue;
          var row = i * n;
          for (var j = 0; j < n; j++) out[j] += xi * w[row + j];
        }
        if (l.activation === 'tanh') for (var a = 0; a < n; a++) out[a] = Math.tanh(out[a]);
        else if (l.activation === 'elu') for (var e = 0; e < n; e++) out[e] = out[e] > 0 ? out[e] : Math.exp(out[e]) - 1;
        else if (l.activation === 'sigmoid') {
          for (var g = 0; g < n; g++) out[g] = Math.min(hi, Math.max(lo, 1 / (1 + Math.exp(-out[g]))));
        } else if (l.activation === 'cb_mean') for (var c = 0; c < n; c++) out[c] = cbMean(out[c], clip);
        x = out;
      }
      return x;
    };
  }

  function base64Bytes(text) {
    var b = atob(text), u = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
    return u;
  }

  /** Draws 784 values in [0, 1] (white ink on black) at (x, y), `size` px a side, pixels as squares. */
  function drawDigit(ctx, tile, values, x, y, size) {
    var img = tile.getContext('2d').createImageData(IMAGE, IMAGE);
    for (var p = 0; p < PIXELS; p++) {
      var v = Math.round(values[p] * 255);
      img.data[4 * p] = img.data[4 * p + 1] = img.data[4 * p + 2] = v;
      img.data[4 * p + 3] = 255;
    }
    tile.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tile, x, y, size, size);
  }

  function fmt(v) { return (v >= 0 ? '+' : '') + v.toFixed(2); }

  /** Each dimension's slider range: the prior's ±3, widened to every test code (whole numbers). */
  function sliderRanges(codes, n, dimZ) {
    var range = [];
    for (var d = 0; d < dimZ; d++) {
      var r = 3;
      if (codes) for (var i = 0; i < n; i++) r = Math.max(r, Math.abs(codes[i * dimZ + d]));
      range.push(Math.ceil(r));
    }
    return range;
  }

  /** One labelled range input per latent dimension (with its test KL when known), in `box`; onInput(dim, value). */
  function createSliders(doc, box, range, klPerDim, onInput) {
    var inputs = [], outputs = [];
    range.forEach(function (r, s) {
      var row = doc.createElement('label');
      row.className = 'slider';
      var kl = klPerDim ? ' <span class="kl" title="KL of this dimension on the test set">KL ' + klPerDim[s].toFixed(2) + '</span>' : '';
      row.innerHTML = '<span class="name">z<sub>' + s + '</sub>' + kl + '</span>';
      var input = doc.createElement('input');
      input.type = 'range';
      input.min = String(-r);
      input.max = String(r);
      input.step = '0.01';
      input.value = '0';
      input.addEventListener('input', function () { onInput(s, Number(input.value)); });
      var out = doc.createElement('output');
      row.appendChild(input);
      row.appendChild(out);
      box.appendChild(row);
      inputs.push(input);
      outputs.push(out);
    });
    return { inputs: inputs, outputs: outputs };
  }

  /**
   * The latent plane of a 2-D model: the test codes drawn once by digit (colors[digit]) into a layer
   * of their own, a legend, and a marker at z redrawn by mark(z); moving the mouse calls onPoint(z).
   */
  function createPlane(doc, canvas, legend, model, n, colors, R, onPoint) {
    var ctx = canvas.getContext('2d'), w = canvas.width;
    var toPx = function (v, flip) { return ((flip ? -v : v) + R) / (2 * R) * w; };
    var toZ = function (px, flip) { var v = px / w * 2 * R - R; return flip ? -v : v; };
    var layer = doc.createElement('canvas');
    layer.width = layer.height = w;
    var lctx = layer.getContext('2d');
    lctx.fillStyle = '#fff';
    lctx.fillRect(0, 0, w, w);
    lctx.strokeStyle = '#ccc';
    lctx.beginPath();
    lctx.moveTo(w / 2, 0); lctx.lineTo(w / 2, w); lctx.moveTo(0, w / 2); lctx.lineTo(w, w / 2);
    lctx.stroke();
    if (model.codes) {
      lctx.globalAlpha = 0.6;
      for (var i = 0; i < n; i++) {
        lctx.fillStyle = colors[model.labels ? model.labels[i] : 0];
        lctx.fillRect(toPx(model.codes[2 * i], false) - 1, toPx(model.codes[2 * i + 1], true) - 1, 2.5, 2.5);
      }
      lctx.globalAlpha = 1;
    }
    lctx.fillStyle = '#444';
    lctx.font = '11px sans-serif';
    lctx.fillText('z0 →', w - 34, w / 2 - 4);
    lctx.fillText('z1 ↑', w / 2 + 4, 12);
    lctx.fillText('±' + R, 4, w - 4);
    if (model.labels) {
      legend.innerHTML = colors.map(function (c, digitIndex) {
        return '<span><i style="background:' + c + '"></i>' + digitIndex + '</span>';
      }).join('');
    }
    canvas.addEventListener('mousemove', function (ev) {
      var rect = canvas.getBoundingClientRect(); // its border box: the plane starts inside the border
      var px = (ev.clientX - rect.left - canvas.clientLeft) * w / canvas.clientWidth;
      var py = (ev.clientY - rect.top - canvas.clientTop) * w / canvas.clientHeight;
      onPoint([toZ(px, false), toZ(py, true)]);
    });
    return {
      mark: function (z) {
        ctx.drawImage(layer, 0, 0);
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(toPx(z[0], false), toPx(z[1], true), 6, 0, 2 * Math.PI);
        ctx.stroke();
      },
      toPx: toPx,
    };
  }

  /** A test image's index typed in `input`: an integer in [0, n), else null and say(why). */
  function readIndex(input, n, say) {
    var text = input.value.trim(), i = Number(text);
    if (text === '' || !Number.isInteger(i) || i < 0 || i >= n) {
      say('A test image index must be a whole number from 0 to ' + (n - 1) + ', got "' + input.value + '".');
      return null;
    }
    return i;
  }

  /** Decodes `steps` points linear in z from za to zb into the strip canvas, side by side. */
  function drawInterpolation(strip, tile, decode, za, zb, steps) {
    var ctx = strip.getContext('2d'), size = strip.height, dimZ = za.length, point = new Float32Array(dimZ);
    for (var t = 0; t < steps; t++) {
      var f = t / (steps - 1);
      for (var k = 0; k < dimZ; k++) point[k] = (1 - f) * za[k] + f * zb[k];
      drawDigit(ctx, tile, decode(point), t * size, 0, size);
    }
  }

  /** The page: reads its data, builds the sliders and the plane, wires the controls, exposes window.vaeExplorer. */
  function startPage(doc, win) {
    var meta = JSON.parse(doc.getElementById('explorer-meta').textContent);
    var model = unpack(meta, base64Bytes(doc.getElementById('explorer-data').textContent.trim()));
    var decode = createDecoder(model.layers, meta.clip);
    var dimZ = meta.dimZ, n = meta.testImages;
    var $ = function (id) { return doc.getElementById(id); };
    var tile = doc.createElement('canvas');
    tile.width = tile.height = IMAGE;
    var digit = $('digit'), digitCtx = digit.getContext('2d');
    var z = new Float32Array(dimZ), redraws = 0;
    var range = sliderRanges(model.codes, n, dimZ);
    var sliders = createSliders(doc, $('sliders'), range, meta.klPerDim, function (dim, value) {
      z[dim] = value;
      redraw();
    });
    var plane = dimZ === 2 ? createPlane(doc, $('plane'), $('legend'), model, n, meta.colors, Math.max(range[0], range[1]), setZ) : null;
    var say = function (text) { $('message').textContent = text; };
    var codeOf = function (i) { return model.codes.subarray(i * dimZ, (i + 1) * dimZ); };

    function redraw() {
      drawDigit(digitCtx, tile, decode(z), 0, 0, digit.width);
      for (var k = 0; k < dimZ; k++) sliders.outputs[k].textContent = fmt(z[k]);
      $('zText').textContent = 'z = (' + Array.prototype.map.call(z, fmt).join(', ') + ')';
      if (plane) plane.mark(z);
      redraws++;
    }

    function setZ(point) {
      for (var k = 0; k < dimZ; k++) {
        z[k] = point[k];
        sliders.inputs[k].value = String(point[k]);
      }
      redraw();
    }

    function pick(i) {
      setZ(codeOf(i));
      say('');
      $('picked').textContent = 'the code E[z|x] of test image ' + i + (model.labels ? ' (a ' + model.labels[i] + ')' : '');
    }

    function interpolate() {
      var a = readIndex($('from'), n, say), b = readIndex($('to'), n, say);
      if (a === null || b === null) return;
      say('');
      drawInterpolation($('strip'), tile, decode, codeOf(a), codeOf(b), meta.interpolationSteps);
    }

    $('go').addEventListener('click', function () {
      var i = readIndex($('index'), n, say);
      if (i !== null) pick(i);
    });
    $('index').addEventListener('keydown', function (ev) { if (ev.key === 'Enter') $('go').click(); });
    $('random').addEventListener('click', function () {
      var i = Math.floor(Math.random() * n);
      $('index').value = String(i);
      pick(i);
    });
    $('zero').addEventListener('click', function () {
      setZ(new Float32Array(dimZ));
      $('picked').textContent = 'z = 0, the prior\'s mean';
    });
    $('interpolate').addEventListener('click', interpolate);

    if (model.codes) {
      pick(0);
      interpolate();
    } else {
      setZ(new Float32Array(dimZ));
      $('picked').textContent = 'z = 0, the prior\'s mean (this run has no encoder, so no test image codes)';
      ['index', 'go', 'random', 'from', 'to', 'interpolate'].forEach(function (id) { $(id).disabled = true; });
    }

    // For tests and benchmarks: the page's state and its decoder.
    win.vaeExplorer = {
      dimZ: dimZ,
      getZ: function () { return Array.prototype.slice.call(z); },
      setZ: setZ,
      pick: pick,
      decode: function (point) { return Array.prototype.slice.call(decode(Float32Array.from(point))); },
      redraws: function () { return redraws; },
      planePoint: plane ? function (point) { return [plane.toPx(point[0], false), plane.toPx(point[1], true)]; } : null,
      meta: meta,
    };
  }

  if (typeof module === 'object' && module.exports) module.exports = { unpack: unpack, createDecoder: createDecoder, dequantize: dequantize, fromFloat16: fromFloat16, sliderRanges: sliderRanges };
  else startPage(document, window);
})();
