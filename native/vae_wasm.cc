// The addon's elementwise kernels (native/vae_kernels.h, the same loops) compiled to WebAssembly
// with SIMD, for the wasm backend without the addon: lib/core/kernels/wasm_kernels.ts instantiates
// native/vae_kernels.wasm on tfjs's own (shared) memory, so they run on tensors where they lie. One
// thread, the caller's. Pointers are byte offsets into that memory. No data segments and no
// start function: the module writes nothing when it is instantiated; its stack (bernoulli_nll_row
// keeps 4 KB of terms) is a block the caller allocates on tfjs's heap and points __stack_pointer at.
// Built by scripts/build-wasm-kernels.sh (clang, lld); the built module is committed.
#include "vae_kernels.h"

#define EXPORT(name) extern "C" __attribute__((export_name(#name)))

// y = act(y + b) * mask over one row of n (masked: mask not null): the arithmetic of the addon's
// bias then activate_row, in one loop that clang is told to vectorise (its cost model declines the
// ELU and tanh loops of vae_kernels.h for WebAssembly: they ran ≈ 4x slower one value at a time).
template <int act, bool masked>
void epilogue_row(float* __restrict y, const float* __restrict b, const float* __restrict mask, int n) {
#pragma clang loop vectorize(enable)
  for (int j = 0; j < n; j++) {
    const float p = y[j] + b[j];
    const float a = act == vae::kElu ? vae::elu_f(p) : act == vae::kTanh ? vae::tanh_f(p) : p;
    y[j] = masked ? a * mask[j] : a;
  }
}

template <int act>
void epilogue(float* y, const float* b, const float* mask, int m, int n) {
  for (int i = 0; i < m; i++) {
    const size_t o = size_t(i) * n;
    if (mask) epilogue_row<act, true>(y + o, b, mask + o, n);
    else epilogue_row<act, false>(y + o, b, nullptr, n);
  }
}

// y (m x n) = act(y + b) * mask, row by row: dense's bias, activation and dropout after the product
// (which XNNPACK computed into y). mask 0: none.
EXPORT(dense_epilogue) void dense_epilogue(float* y, const float* b, const float* mask, int m, int n, int act) {
  if (act == vae::kElu) epilogue<vae::kElu>(y, b, mask, m, n);
  else if (act == vae::kTanh) epilogue<vae::kTanh>(y, b, mask, m, n);
  else epilogue<vae::kLinear>(y, b, mask, m, n);
}

// dPre = dy * mask * act'(y / mask), db = column sums of dPre (as the addon's activationGrad).
EXPORT(activation_grad) void activation_grad(const float* dy, const float* y, const float* mask, float* dpre, float* db, int m, int n, int act) {
  for (int i = 0; i < m; i++) {
    const size_t o = size_t(i) * n;
    vae::activation_grad_row(act, dy + o, y + o, mask ? mask + o : nullptr, dpre + o, n);
  }
  vae::column_sums(dpre, db, m, n, 0, n);
}

EXPORT(bernoulli_nll) void bernoulli_nll(const float* x, const float* l, float* nll, int m, int n, int continuous, float log_clip, float logit_clip) {
  for (int i = 0; i < m; i++) nll[i] = vae::bernoulli_nll_row(x + size_t(i) * n, l + size_t(i) * n, n, continuous != 0, log_clip, logit_clip);
}

EXPORT(bernoulli_nll_grad) void bernoulli_nll_grad(const float* dnll, const float* x, const float* l, float* dl, int m, int n, int continuous, float log_clip,
                                                   float logit_clip) {
  for (int i = 0; i < m; i++) {
    const size_t o = size_t(i) * n;
    vae::bernoulli_nll_grad_row(dnll[i], x + o, l + o, dl + o, n, continuous != 0, log_clip, logit_clip);
  }
}

// One Adam step (as the addon's adam) into w_out: the new weights in memory of their own, never
// over w (tfjs's XNNPACK keeps a packed copy of a product's second operand under the tensor's id:
// weights changed in place would leave it stale). m and v are updated in place.
EXPORT(adam) void adam(float* w_out, const float* w, const float* g, float* m, float* v, int n, float lr, float b1, float b2, float c1, float c2, float eps) {
  __builtin_memcpy(w_out, w, sizeof(float) * size_t(n));
  vae::adam_range(w_out, g, m, v, 0, size_t(n), lr, b1, b2, c1, c2, eps);
}

// out[i] = value with probability p, else 0: draws a0 + 1 ... of mulberry32, as Rng.next() < p.
EXPORT(bernoulli_fill) void bernoulli_fill(uint32_t a0, float* out, int n, double p, float value) {
  vae::bernoulli_fill_range(a0, out, 0, size_t(n), p, value);
}
