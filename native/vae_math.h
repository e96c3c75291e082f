// Elementwise math of the fused kernels, written so that GCC vectorises the loops that call it
// (no libm calls, no branches the compiler cannot turn into selects): Cephes' single-precision
// polynomials for exp, log1p and tanh (relative error ~1e-7, as libm's float versions). Each
// select is written so that NaN propagates: divergence must show in the loss.
#pragma once
#include <cstdint>
#include <cstring>

namespace vae {

inline float bits_to_float(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

inline int32_t float_to_bits(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
}

inline float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

// e^x for x in [-87, 88] (clamped beyond): x = n ln2 + r, |r| <= ln2/2, e^r by a degree-6 polynomial.
inline float exp_f(float x) {
  x = clampf(x, -87.0f, 88.0f);
  const float n = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const float k = n == n ? n : 0.0f;  // NaN in, NaN out (through p), without casting NaN to int
  return p * bits_to_float((static_cast<int32_t>(k) + 127) << 23);
}

// log(1 + e) for e in [0, 1], without forming 1 + e when it would round e away.
inline float log1p_unit(float e) {
  const bool big = 1.0f + e > 1.41421356237f;
  const float f = big ? (e - 1.0f) * 0.5f : e;  // 1 + e = 2^k (1 + f), f in [sqrt(1/2) - 1, sqrt(2) - 1]
  const float k = big ? 1.0f : 0.0f;
  const float z = f * f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  float y = f * z * p + k * -2.12194440e-4f - 0.5f * z;
  return f + y + k * 0.693359375f;
}

// log x for a finite x > 0: x = 2^k (1 + f), f in [0, 1), log x = k ln 2 + log(1 + f).
inline float log_f(float x) {
  const int32_t bits = float_to_bits(x);
  const float k = static_cast<float>((bits >> 23) - 127);
  const float f = bits_to_float((bits & 0x007fffff) | 0x3f800000) - 1.0f;
  return k * 0.693147180559945f + log1p_unit(f);
}

// The continuous Bernoulli (Loaiza-Ganem & Cunningham 2019) from a logit l, lambda = sigmoid(l):
// its log normaliser log C = log(2 atanh(1 - 2 lambda) / (1 - 2 lambda)) = log(l / tanh(l / 2)),
// even in l, and d log C / dl = 1/l - 1/sinh(l). Near l = 0 (|l| < kCbTaylor) both are Taylor
// series, log C = log 2 + sum (2^2n - 2) B_2n l^2n / (2n (2n)!), error < 3e-9; beyond, with
// e = e^-|l|, log C = log(|l| (1 + e) / (1 - e)) and 1/sinh |l| = 2e / (1 - e^2). lib/loss.ts
// computes the same.
constexpr float kCbTaylor = 0.5f;

inline float cb_log_normalizer(float l) {
  const float a = l < 0 ? -l : l;
  const float a2 = a * a;
  const float taylor = 0.693147180559945f + a2 * (8.33333333e-2f + a2 * (-4.86111111e-3f + a2 * (3.41710758e-4f + a2 * -2.62483465e-5f)));
  const float as = a < kCbTaylor ? kCbTaylor : a;
  const float e = exp_f(-as);
  const float direct = log_f(as * (1.0f + e) / (1.0f - e));
  return a < kCbTaylor ? taylor : direct;  // NaN fails the test and takes `direct`: NaN out
}

inline float cb_log_normalizer_grad(float l) {
  const float a = l < 0 ? -l : l;
  const float l2 = l * l;
  const float taylor = l * (1.66666667e-1f + l2 * (-1.94444444e-2f + l2 * (2.05026455e-3f + l2 * -2.09986772e-4f)));
  const float as = a < kCbTaylor ? kCbTaylor : a;
  const float e = exp_f(-as);
  const float direct = 1.0f / as - 2.0f * e / (1.0f - e * e);
  return a < kCbTaylor ? taylor : (l < 0 ? -direct : direct);
}

// tanh: odd polynomial for |x| < 0.625, 1 - 2 / (e^{2|x|} + 1) beyond, sign restored.
inline float tanh_f(float x) {
  const float ax = x < 0 ? -x : x;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  const float large = 1.0f - 2.0f / (exp_f(2.0f * (ax < 9.0f ? ax : 9.0f)) + 1.0f);
  return ax >= 0.625f ? (x < 0 ? -large : large) : small;  // NaN takes the polynomial: NaN out
}

// ELU as tf.nn.elu: x for x > 0, e^x - 1 otherwise.
inline float elu_f(float x) { return x > 0 ? x : exp_f(x) - 1.0f; }

}  // namespace vae
