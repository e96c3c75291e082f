// The loops of the addon's elementwise kernels, each over one part of its work (a range, a block
// of rows or of columns), on restrict pointers and by-value scalars: what the thread pool runs in
// parallel, and what GCC vectorises (no aliasing to guard against, no loads of captured state in
// the loop). vae_native.cc checks the arguments and cuts the work into parts.
#pragma once
#include <cstddef>
#include <cstdint>

#include "vae_math.h"

namespace vae {

enum Activation { kLinear = 0, kElu = 1, kTanh = 2 };

// The seed's clip of Bernoulli means to [c, 1 - c] is passed in from lib/core/likelihood.ts (never
// re-typed here): log_clip = log c, applied to the logs of the means, and logit_clip = logit(1 - c),
// for the continuous Bernoulli the clip of the logit its normaliser is computed from.

// One Adam step over [lo, hi), as tf.train.adam (see Adam in vae_native.cc).
inline void adam_range(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v, size_t lo, size_t hi,
                       float lr, float b1, float b2, float c1, float c2, float eps) {
  for (size_t j = lo; j < hi; j++) {
    const float gj = g[j];
    const float mj = m[j] = b1 * m[j] + (1 - b1) * gj;
    const float vj = v[j] = b2 * v[j] + (1 - b2) * gj * gj;
    w[j] -= lr * (mj / c1) / (__builtin_sqrtf(vj / c2) + eps);
  }
}

// y = act(y) * mask over one row's columns [c0, c1) (mask null: none).
template <int act>
inline void activate_row(float* __restrict y, const float* __restrict mask, size_t c0, size_t c1) {
  for (size_t j = c0; j < c1; j++) {
    const float a = act == kElu ? elu_f(y[j]) : act == kTanh ? tanh_f(y[j]) : y[j];
    y[j] = mask ? a * mask[j] : a;
  }
}

inline void activate_row(int act, float* y, const float* mask, size_t c0, size_t c1) {
  if (act == kElu) activate_row<kElu>(y, mask, c0, c1);
  else if (act == kTanh) activate_row<kTanh>(y, mask, c0, c1);
  else if (mask) activate_row<kLinear>(y, mask, c0, c1);
}

// dPre = dy * mask * act'(y / mask) for one row of n (see ActivationGrad in vae_native.cc); mask null: none.
template <int act, bool masked>
inline void activation_grad_row(const float* __restrict dy, const float* __restrict y, const float* __restrict mask, float* __restrict dpre, size_t n) {
  for (size_t j = 0; j < n; j++) {
    const float s = masked ? mask[j] : 1.0f;
    const float a = masked ? (s != 0.0f ? y[j] / s : 0.0f) : y[j];
    const float d = act == kTanh ? 1.0f - a * a : act == kElu ? (a >= 0.0f ? 1.0f : a + 1.0f) : 1.0f;
    dpre[j] = dy[j] * s * d;
  }
}

template <int act>
inline void activation_grad_row(const float* dy, const float* y, const float* mask, float* dpre, size_t n) {
  if (mask) activation_grad_row<act, true>(dy, y, mask, dpre, n);
  else activation_grad_row<act, false>(dy, y, mask, dpre, n);
}

inline void activation_grad_row(int act, const float* dy, const float* y, const float* mask, float* dpre, size_t n) {
  if (act == kElu) activation_grad_row<kElu>(dy, y, mask, dpre, n);
  else if (act == kTanh) activation_grad_row<kTanh>(dy, y, mask, dpre, n);
  else activation_grad_row<kLinear>(dy, y, mask, dpre, n);
}

// s[j] = sum over the m rows of a (row stride n), in row order, for columns [c0, c1).
inline void column_sums(const float* __restrict a, float* __restrict s, size_t m, size_t n, size_t c0, size_t c1) {
  for (size_t j = c0; j < c1; j++) s[j] = 0.0f;
  for (size_t i = 0; i < m; i++) {
    const float* __restrict row = a + i * n;
    for (size_t j = c0; j < c1; j++) s[j] += row[j];
  }
}

// x log y + (1 - x) log(1 - y) for one pixel, y = sigmoid(l), each log >= log_clip; max written so
// that NaN passes through (a diverged model must give a NaN loss).
inline float bernoulli_log_prob(float x, float l, float log_clip) {
  const float sp = (l > 0 ? l : 0.0f) + log1p_unit(exp_f(l > 0 ? -l : l));
  const float log_y = l - sp < log_clip ? log_clip : l - sp;
  const float log_1my = -sp < log_clip ? log_clip : -sp;
  return x * log_y + (1.0f - x) * log_1my;
}

// The negative log-likelihood of one image (n pixels): terms in float, summed in double in order.
inline float bernoulli_nll_row(const float* __restrict x, const float* __restrict l, int n, bool continuous, float log_clip,
                               float logit_clip) {
  constexpr int kBlock = 1024;
  float terms[kBlock];
  double sum = 0;
  for (int j0 = 0; j0 < n; j0 += kBlock) {
    const int len = n - j0 < kBlock ? n - j0 : kBlock;
    const float* __restrict xb = x + j0;
    const float* __restrict lb = l + j0;
    for (int j = 0; j < len; j++) terms[j] = bernoulli_log_prob(xb[j], lb[j], log_clip);
    if (continuous) {
      for (int j = 0; j < len; j++) terms[j] += cb_log_normalizer(clampf(lb[j], -logit_clip, logit_clip));
    }
    for (int j = 0; j < len; j++) sum += terms[j];
  }
  return static_cast<float>(-sum);
}

// dl = g * d nll / d l for one image (see BernoulliNllGrad in vae_native.cc). Past a clip the
// gradient is 0, as tf.maximum's and tf.clipByValue's; a NaN logit gives NaN, as tfjs does (its
// chain rule multiplies that 0 by the NaN derivative of the clipped expression).
inline void bernoulli_nll_grad_row(float g, const float* __restrict x, const float* __restrict l, float* __restrict dl, int n, bool continuous,
                                   float log_clip, float logit_clip) {
  for (int j = 0; j < n; j++) {
    const float lj = l[j], xj = x[j];
    const float e = exp_f(lj > 0 ? -lj : lj);  // e^-|l|
    const float sp = (lj > 0 ? lj : 0.0f) + log1p_unit(e);
    const float y = (lj >= 0 ? 1.0f : e) / (1.0f + e);  // sigmoid(l)
    const float nan_or_0 = lj != lj ? lj : 0.0f;
    const float d_log_y = lj - sp >= log_clip ? 1.0f - y : nan_or_0;
    const float d_log_1my = -sp >= log_clip ? -y : nan_or_0;
    dl[j] = -g * (xj * d_log_y + (1.0f - xj) * d_log_1my);
  }
  if (continuous) {
    for (int j = 0; j < n; j++) {
      const float lj = l[j];
      const float d_log_c = cb_log_normalizer_grad(clampf(lj, -logit_clip, logit_clip));  // computed everywhere: no branch
      const float nan_or_0 = lj != lj ? lj : 0.0f;
      dl[j] -= g * (((lj >= -logit_clip) & (lj <= logit_clip)) ? d_log_c : nan_or_0);
    }
  }
}

// out[i] = value with probability p, else 0, for i in [lo, hi): draw i of mulberry32 from state a0
// (Rng.next() < p in lib/rng.ts), which depends only on a0 and i.
inline void bernoulli_fill_range(uint32_t a0, float* __restrict out, size_t lo, size_t hi, double p, float value) {
  for (size_t i = lo; i < hi; i++) {
    uint32_t t = a0 + uint32_t(i + 1) * 0x6d2b79f5u;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    t ^= t >> 14;
    out[i] = double(t) / 4294967296.0 < p ? value : 0.0f;
  }
}

}  // namespace vae
