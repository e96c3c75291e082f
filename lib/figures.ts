// The original project's pictures, computed from a model: PRR (the first test images and their
// reconstructions), PMLR (the decoder over a grid of 2-D latent points) and the PMLR map (test
// images encoded and scattered by digit). Returns PNG bytes; the caller writes them.
import { DIM_IMG, Split } from './data';
import { decodeLatents, readAndDispose, reconstruct } from './evaluate';
import { Vae } from './model';
import { imageGridPng } from './images';
import { latentScatterSpec, specToPng } from './plot';
import { standardNormal } from './random';
import { Rng } from './rng';
import * as tf from '@tensorflow/tfjs';

export interface GridSize {
  nx: number;
  ny: number;
  resize: number;
}

/** The first nx * ny images of a split (the original's x_PRR), as a copy. */
export function firstImages(split: Split, n: number): Float32Array {
  return split.images.slice(0, n * DIM_IMG);
}

/** PRR: reconstructions of `inputs` (already noisy when the run adds noise) tiled as a grid. */
export function prrPng(model: Vae, inputs: Float32Array, g: GridSize, seed = 0): Buffer {
  return imageGridPng(reconstruct(model, inputs, seed), g.nx, g.ny, g.resize);
}

/** PMLR: decoder outputs on the ny x nx grid over z in [-zRange, zRange]^2 (a 2-D latent space). */
export function pmlrPng(model: Vae, g: GridSize, zRange: number): Buffer {
  if (model.config.dimZ !== 2) throw new Error(`the learned manifold needs dim_z = 2, the model has ${model.config.dimZ}`);
  return imageGridPng(decodeLatents(model, manifoldGrid(g.nx, g.ny, zRange)), g.nx, g.ny, g.resize);
}

/**
 * The latent codes z the model gives `images`, as the original's PMLR map takes them: the
 * sampled z of the forward pass (mu + sigma * eps in vae mode, mu in vanilla_ae mode).
 */
export function latentSamples(model: Vae, images: Float32Array, seed = 0): Float32Array {
  const n = images.length / DIM_IMG;
  const rng = new Rng(seed);
  return readAndDispose(
    tf.tidy(() => {
      const x = tf.tensor2d(images, [n, DIM_IMG]);
      const eps = standardNormal([n, model.config.dimZ], rng);
      return model.forward(x, { eps }).z;
    }),
  );
}

/** PMLR map: the labelled scatter of encoded test images, axes +-(zRange + 2) as the original. */
export async function pmlrMapPng(model: Vae, images: Float32Array, labels: Uint8Array, zRange: number, seed = 0): Promise<Buffer> {
  const z = latentSamples(model, images, seed);
  return specToPng(latentScatterSpec(z, model.config.dimZ, labels, zRange + 2), 1.5);
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
