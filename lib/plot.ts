// Renderers for the original's pictures: image grids (PRR, PMLR) and the labelled latent scatter
// (PMLR map). Pure: they return PNG bytes or a chart spec; callers write or display them.
import { PNG } from 'pngjs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { IMAGE_SIZE } from './data';

/** A grayscale image: h x w values, row-major. */
export interface Gray {
  w: number;
  h: number;
  pixels: Float32Array;
}

/**
 * Tiles n = nx * ny images of 28 x 28 into ny rows and nx columns, image k at row k / nx and
 * column k % nx (the original's `merge`), each resized by `resize` (bilinear).
 */
export function tileImages(images: Float32Array, nx: number, ny: number, resize = 1): Gray {
  const n = nx * ny;
  const size = IMAGE_SIZE * IMAGE_SIZE;
  if (images.length < n * size) throw new Error(`tileImages: need ${n} images of ${size} pixels, got ${images.length / size}`);
  const s = Math.max(1, Math.round(IMAGE_SIZE * resize));
  const w = nx * s;
  const h = ny * s;
  const pixels = new Float32Array(w * h);
  for (let k = 0; k < n; k++) {
    const img = images.subarray(k * size, (k + 1) * size);
    const x0 = (k % nx) * s;
    const y0 = Math.floor(k / nx) * s;
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) pixels[(y0 + y) * w + x0 + x] = bilinear(img, ((x + 0.5) * IMAGE_SIZE) / s - 0.5, ((y + 0.5) * IMAGE_SIZE) / s - 0.5);
    }
  }
  return { w, h, pixels };
}

function bilinear(img: Float32Array, fx: number, fy: number): number {
  const clamp = (v: number) => Math.min(IMAGE_SIZE - 1, Math.max(0, v));
  const x0 = clamp(Math.floor(fx)), y0 = clamp(Math.floor(fy));
  const x1 = clamp(x0 + 1), y1 = clamp(y0 + 1);
  const ax = Math.min(1, Math.max(0, fx - x0)), ay = Math.min(1, Math.max(0, fy - y0));
  const at = (x: number, y: number) => img[y * IMAGE_SIZE + x];
  return (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x1, y0)) + ay * ((1 - ax) * at(x0, y1) + ax * at(x1, y1));
}

/**
 * Encodes a grayscale image as PNG. Values in [0, 1] map to 0..255; an image whose maximum is
 * above 1 (salt & pepper inputs reach 2) is scaled by its maximum, as the original's imsave did.
 */
export function grayPng(img: Gray): Buffer {
  let max = 1;
  for (const v of img.pixels) if (v > max) max = v;
  const png = new PNG({ width: img.w, height: img.h, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.alloc(img.w * img.h);
  for (let i = 0; i < img.pixels.length; i++) png.data[i] = Math.round(255 * Math.min(1, Math.max(0, img.pixels[i] / max)));
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** Tiled images as PNG bytes. */
export function imageGridPng(images: Float32Array, nx: number, ny: number, resize = 1): Buffer {
  return grayPng(tileImages(images, nx, ny, resize));
}

/**
 * The latent scatter of the original's PMLR map as a vega-lite spec: the first two latent
 * coordinates, coloured by digit, axes fixed to +-range.
 */
export function latentScatterSpec(z: Float32Array, dimZ: number, labels: Uint8Array, range: number, title?: string): vl.TopLevelSpec {
  const n = labels.length;
  const values = Array.from({ length: n }, (_, i) => ({ z1: z[i * dimZ], z2: z[i * dimZ + 1], digit: String(labels[i]) }));
  const axis = (field: string) => ({
    field,
    type: 'quantitative' as const,
    scale: { domain: [-range, range], clamp: true },
    axis: { title: field },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 400,
    height: 400,
    background: 'white',
    data: { values },
    mark: { type: 'circle', size: 10, opacity: 0.7 },
    encoding: {
      x: axis('z1'),
      y: axis('z2'),
      color: { field: 'digit', type: 'nominal', scale: { scheme: 'category10' }, legend: { title: 'digit' } },
    },
  };
}

/** Renders a vega-lite spec to SVG text (no browser involved). */
export async function specToSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders a vega-lite spec to PNG bytes, `scale` times its nominal size. */
export async function specToPng(spec: vl.TopLevelSpec, scale = 1): Promise<Buffer> {
  const svg = await specToSvg(spec);
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: scale } }).render().asPng();
}

/**
 * The original's PMLR grid of latent points: ny rows by nx columns over [-range, range]^2, the
 * first coordinate falling down the rows and the second across the columns, so the top-left
 * point is (+range, +range) (numpy's mgrid[range:-range:ny*1j, range:-range:nx*1j]).
 */
export function manifoldGrid(nx: number, ny: number, range: number): Float32Array {
  const z = new Float32Array(nx * ny * 2);
  const step = (i: number, n: number) => (n === 1 ? range : range - (2 * range * i) / (n - 1));
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      z[(i * nx + j) * 2] = step(i, ny);
      z[(i * nx + j) * 2 + 1] = step(j, nx);
    }
  }
  return z;
}
