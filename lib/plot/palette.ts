// The colours of the figures: one per digit (latent scatters) and, in the same order, one per run
// (loss curves, runs). D3's category10 with its grey (hard to tell from the brown of 5 under small,
// translucent markers) replaced by near-black, so all ten digits can be told apart.
export const DIGIT_COLORS: readonly string[] = Object.freeze([
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#222222', '#bcbd22', '#17becf',
]);
