// The plot layer: pictures (PNG grids, the original's PRR/PMLR figures, the PMLR map), the
// notebooks' Plotly figure specs and their static copies, the palette. Imports core and runs.
export * from './palette';
export * from './images';
export * from './latent_grid';
export * from './figures';
export * from './latent_map';
export * from './plotly';
export * from './plotly_static';
