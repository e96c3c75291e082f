// The original project's pictures, computed from a model: PRR (the first test images and their
// reconstructions), PMLR (the decoder over a grid of 2-D latent points, spaced linearly as the
// original or through the Gaussian's inverse CDF as AEVB Figure 4) and the PMLR map (test images
// encoded and scattered by digit). Returns PNG bytes; the caller writes them.
import { DIM_IMG, Split } from '../core/data';
import { decodeLatents, readAndDispose, reconstruct } from '../core/evaluate';
import { Vae } from '../core/model';
import { imageGridPng } from './images';
import { gaussianManifoldGrid, manifoldGrid, PmlrGrid } from './latent_grid';
import { latentScatterSpec, specToPng } from './latent_map';
import { standardNormal } from '../core/random';
import { Rng } from '../core/rng';
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

/**
 * PMLR: decoder outputs on the ny x nx grid of 2-D latent points, `linear` over
 * [-zRange, zRange]^2 or `gaussian` (gaussianManifoldGrid; zRange unused).
 */
export function pmlrPng(model: Vae, g: GridSize, zRange: number, spacing: PmlrGrid = 'linear'): Buffer {
  if (model.config.dimZ !== 2) throw new Error(`the learned manifold needs dim_z = 2, the model has ${model.config.dimZ}`);
  const z = spacing === 'gaussian' ? gaussianManifoldGrid(g.nx, g.ny) : manifoldGrid(g.nx, g.ny, zRange);
  return imageGridPng(decodeLatents(model, z), g.nx, g.ny, g.resize);
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
