// Static charts drawn without a browser: the labelled latent scatter of the original's PMLR map as
// a vega-lite spec, rendered to SVG (vega) and PNG (resvg). Pure: callers write or display them.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { DIGIT_COLORS } from './palette';

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
      color: { field: 'digit', type: 'nominal', scale: { domain: DIGIT_COLORS.map((_, d) => String(d)), range: [...DIGIT_COLORS] }, legend: { title: 'digit' } },
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
