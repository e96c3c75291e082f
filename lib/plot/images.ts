// Pictures made of MNIST images: nx x ny grids of 28 x 28 images (the original's PRR and PMLR
// pictures) and rows of captioned grids (the notebooks' side-by-side comparisons), as PNG bytes.
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { IMAGE_SIZE } from '../core/data';

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

/** One captioned grid of a row: nx x ny images, 28 x 28 each. */
export interface ImagePanel {
  images: Float32Array;
  nx: number;
  ny: number;
  title: string;
}

/** Text safe inside XML or HTML markup and attribute values (the SVG here, the notebooks' HTML outputs). */
export const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot' }[c]};`);

/**
 * Grids side by side in one PNG, each under its caption, every image resized to `resize` times
 * its 28 pixels (as the original's PRR_resize_factor). Wider than `maxWidth` pixels, the panels
 * wrap onto further rows, so a notebook column never has to scroll.
 */
export function imagePanelsPng(panels: ImagePanel[], resize = 1, maxWidth = 980): Buffer {
  const gap = 16, caption = 22, pad = 4;
  const sized = panels.map((p) => {
    const g = tileImages(p.images, p.nx, p.ny, resize);
    return { ...p, png: grayPng(g), w: g.w, h: g.h };
  });
  const placed: { x: number; y: number; p: (typeof sized)[number] }[] = [];
  let x = pad, y = pad, rowH = 0, width = 0;
  for (const p of sized) {
    if (x > pad && x + p.w > maxWidth) {
      x = pad;
      y += rowH + gap;
      rowH = 0;
    }
    placed.push({ x, y, p });
    x += p.w + gap;
    rowH = Math.max(rowH, p.h + caption);
    width = Math.max(width, x - gap + pad);
  }
  const height = y + rowH + pad;
  const body = placed.map(({ x, y, p }) =>
    `<text x="${x + p.w / 2}" y="${y + 15}" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="14" fill="#222">${escapeXml(p.title)}</text>` +
    `<image x="${x}" y="${y + caption}" width="${p.w}" height="${p.h}" href="data:image/png;base64,${p.png.toString('base64')}"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${body.join('')}</svg>`;
  // resvg renders RGBA; every pixel here is a gray, so one channel of it is the picture.
  const rendered = new Resvg(svg, { background: 'white' }).render();
  const rgba = rendered.pixels; // a getter that copies: read it once
  const gray = new Float32Array(rendered.width * rendered.height);
  for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i] / 255;
  return grayPng({ w: rendered.width, h: rendered.height, pixels: gray });
}
