// Pictures of MNIST images: grids and captioned rows, as PNG, pixels checked.
import { PNG } from 'pngjs';
import { imageGridPng, imagePanelsPng } from '../lib/index';

const images = (n: number, value: number) => new Float32Array(n * 784).fill(value);

describe('image pictures', () => {
  test('a grid tiles nx x ny images, resized', () => {
    const png = PNG.sync.read(imageGridPng(images(6, 1), 3, 2, 2));
    expect([png.width, png.height]).toEqual([168, 112]);
    expect(png.data[0]).toBe(255);
  });

  test('panels sit side by side under their captions, in grayscale', () => {
    const png = PNG.sync.read(imagePanelsPng([
      { images: images(4, 1), nx: 2, ny: 2, title: 'white' },
      { images: images(4, 0), nx: 2, ny: 2, title: 'black' },
    ]));
    expect([png.width, png.height]).toEqual([4 + 56 + 16 + 56 + 4, 4 + 22 + 56 + 4]);
    const at = (x: number, y: number) => png.data[4 * (y * png.width + x)];
    expect(at(4 + 28, 4 + 22 + 28)).toBe(255); // inside the white panel
    expect(at(4 + 56 + 16 + 28, 4 + 22 + 28)).toBe(0); // inside the black one
    // The captions are drawn: dark pixels in the caption band above each panel.
    let ink = 0;
    for (let x = 0; x < png.width; x++) for (let y = 4; y < 4 + 20; y++) if (at(x, y) < 128) ink++;
    expect(ink).toBeGreaterThan(20);
  });

  test('panels wider than the column wrap onto a second row', () => {
    const panels = [1, 2, 3].map((i) => ({ images: images(100, i / 4), nx: 10, ny: 10, title: `p${i}` }));
    const png = PNG.sync.read(imagePanelsPng(panels, 1.5, 980));
    expect(png.width).toBeLessThanOrEqual(980);
    expect(png.height).toBe(4 + 2 * (22 + 420) + 16 + 4);
  });
});
