// Optional native kernels for the wasm backend, working in place on Float32Array views of the
// wasm heap (no copies): single-precision matrix products through OpenBLAS's cblas_sgemm, the
// fused dense layer (product + bias + activation + dropout) and its gradient, the Bernoulli and
// continuous Bernoulli negative log-likelihoods from logits and their gradient, and Adam. Built at
// install time when OpenBLAS is present; the library runs without it (lib/kernels/native.ts).
#include <node_api.h>
#include <cblas.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "vae_math.h"

namespace {

// Reads the arguments of a kernel call in order: typed arrays (Float32Array, or null for an
// absent optional one; Int32Array) of exactly the length their shape gives (kAnyLength: any),
// integers >= 0 (true integers: 2.5 is refused), numbers and booleans. On a wrong argument it
// throws one JavaScript error naming the function and the argument, and ok() turns false.
class Args {
 public:
  Args(napi_env env, napi_callback_info info, size_t expected, const char* name) : env_(env), name_(name) {
    argc_ = kMax;
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
    if (argc_ != expected) fail("wrong number of arguments");
  }
  bool ok() const { return ok_; }
  float* f32(size_t i, size_t min_length, bool optional = false, size_t* length = nullptr) {
    return static_cast<float*>(typed(i, napi_float32_array, "expected a Float32Array", min_length, optional, length));
  }
  int32_t* i32array(size_t i, size_t min_length) {
    return static_cast<int32_t*>(typed(i, napi_int32_array, "expected an Int32Array", min_length, false, nullptr));
  }
  int32_t i32(size_t i) {
    double v = 0;
    if (ok_ && (napi_get_value_double(env_, argv_[i], &v) != napi_ok || !(v >= 0) || v > 2147483647.0 || v != std::floor(v))) {
      fail("expected an integer in [0, 2^31)");
      return 0;
    }
    return static_cast<int32_t>(v);
  }
  // An activation code: 0 linear, 1 ELU, 2 tanh.
  int32_t activation(size_t i) {
    const int32_t v = i32(i);
    if (ok_ && v > 2) fail("expected an activation code 0 (linear), 1 (ELU) or 2 (tanh)");
    return v;
  }
  double f64(size_t i) {
    double v = 0;
    if (ok_ && napi_get_value_double(env_, argv_[i], &v) != napi_ok) fail("expected a number");
    return v;
  }
  bool boolean(size_t i) {
    bool v = false;
    if (ok_ && napi_get_value_bool(env_, argv_[i], &v) != napi_ok) fail("expected a boolean");
    return v;
  }
  void fail(const char* why) {
    if (!ok_) return;
    ok_ = false;
    std::string message = std::string(name_) + ": " + why;
    napi_throw_error(env_, nullptr, message.c_str());
  }

 private:
  void* typed(size_t i, napi_typedarray_type want, const char* what, size_t min_length, bool optional, size_t* length_out) {
    if (!ok_) return nullptr;
    napi_valuetype t;
    napi_typeof(env_, argv_[i], &t);
    if (optional && t == napi_null) return nullptr;
    napi_typedarray_type type;
    size_t length;
    void* ptr;
    napi_value buffer;
    size_t offset;
    if (napi_get_typedarray_info(env_, argv_[i], &type, &length, &ptr, &buffer, &offset) != napi_ok || type != want) {
      fail(what);
      return nullptr;
    }
    if (min_length != kAnyLength && length != min_length) fail("array length differs from its shape");
    if (length_out) *length_out = length;
    return ptr;
  }
  static constexpr size_t kMax = 10;

 public:
  static constexpr size_t kAnyLength = static_cast<size_t>(-1);

 private:
  napi_env env_;
  const char* name_;
  size_t argc_;
  napi_value argv_[kMax];
  bool ok_ = true;
};

// sgemm(transA, transB, M, N, K, A, B, C): C (M x N) = op(A) (M x K) * op(B) (K x N), row-major,
// op(A) = A^T when transA (A stored K x M), likewise for B.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  Args args(env, info, 8, "sgemm");
  const bool ta = args.boolean(0), tb = args.boolean(1);
  const int32_t m = args.i32(2), n = args.i32(3), k = args.i32(4);
  const float* a = args.f32(5, size_t(m) * k);
  const float* b = args.f32(6, size_t(k) * n);
  float* c = args.f32(7, size_t(m) * n);
  if (!args.ok()) return nullptr;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              ta ? m : k, b, tb ? k : n, 0.0f, c, n);
  return nullptr;
}

// blasThreads(n): the threads OpenBLAS's products use from now on (n >= 1; 0 leaves them); returns
// the number in force. One by default (lib/kernels/native.ts): large products (importance
// sampling's thousands of rows) gain from more.
napi_value BlasThreads(napi_env env, napi_callback_info info) {
  Args args(env, info, 1, "blasThreads");
  const int32_t n = args.i32(0);
  if (!args.ok()) return nullptr;
  if (n > 0) openblas_set_num_threads(n);
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

// adam(w, g, m, v, lr, beta1, beta2, c1, c2, eps): one Adam step in place, as tf.train.adam:
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr (m / c1) / (sqrt(v / c2) + eps),
// with c1 = 1 - b1^t and c2 = 1 - b2^t.
napi_value Adam(napi_env env, napi_callback_info info) {
  Args args(env, info, 10, "adam");
  size_t lw = 0, lg = 0, lm = 0, lv = 0;
  float* w = args.f32(0, Args::kAnyLength, false, &lw);
  const float* g = args.f32(1, Args::kAnyLength, false, &lg);
  float* m = args.f32(2, Args::kAnyLength, false, &lm);
  float* v = args.f32(3, Args::kAnyLength, false, &lv);
  const float lr = args.f64(4), b1 = args.f64(5), b2 = args.f64(6), c1 = args.f64(7), c2 = args.f64(8), eps = args.f64(9);
  if (args.ok() && (lg != lw || lm != lw || lv != lw)) args.fail("arrays differ in length");
  if (!args.ok()) return nullptr;
  for (size_t j = 0; j < lw; j++) {
    const float gj = g[j];
    const float mj = m[j] = b1 * m[j] + (1 - b1) * gj;
    const float vj = v[j] = b2 * v[j] + (1 - b2) * gj * gj;
    w[j] -= lr * (mj / c1) / (std::sqrt(vj / c2) + eps);
  }
  return nullptr;
}

enum Activation { kLinear = 0, kElu = 1, kTanh = 2 };

// dense(x, w, b, mask | null, y, m, k, n, activation): y (m x n) = act(x w + b) * mask, x (m x k),
// w (k x n), b (n); mask (m x n) multiplies after the activation (inverted dropout), when given.
napi_value Dense(napi_env env, napi_callback_info info) {
  Args args(env, info, 9, "dense");
  const int32_t m = args.i32(5), k = args.i32(6), n = args.i32(7), act = args.activation(8);
  const size_t mn = size_t(m) * n;
  const float* x = args.f32(0, size_t(m) * k);
  const float* w = args.f32(1, size_t(k) * n);
  const float* b = args.f32(2, n);
  const float* mask = args.f32(3, mn, true);
  float* y = args.f32(4, mn);
  if (!args.ok()) return nullptr;
  for (int32_t i = 0; i < m; i++) std::memcpy(y + size_t(i) * n, b, sizeof(float) * n);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, x, k, w, n, 1.0f, y, n);
  if (act == kElu) {
    for (size_t j = 0; j < mn; j++) y[j] = vae::elu_f(y[j]);
  } else if (act == kTanh) {
    for (size_t j = 0; j < mn; j++) y[j] = vae::tanh_f(y[j]);
  }
  if (mask) {
    for (size_t j = 0; j < mn; j++) y[j] *= mask[j];
  }
  return nullptr;
}

// activationGrad(dy, y, mask | null, dPre, db, m, n, activation): the gradient of dense's output
// y with respect to its pre-activation, dPre = dy * mask * act'(a) with a = y / mask (0 where the
// mask is 0), and db = the column sums of dPre. act' from the activation's output, as tfjs:
// tanh' = 1 - a^2, elu' = 1 where a >= 0, else a + 1.
napi_value ActivationGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, 8, "activationGrad");
  const int32_t m = args.i32(5), n = args.i32(6), act = args.activation(7);
  const size_t mn = size_t(m) * n;
  const float* dy = args.f32(0, mn);
  const float* y = args.f32(1, mn);
  const float* mask = args.f32(2, mn, true);
  float* dpre = args.f32(3, mn);
  float* db = args.f32(4, n);
  if (!args.ok()) return nullptr;
  for (size_t j = 0; j < mn; j++) {
    const float s = mask ? mask[j] : 1.0f;
    const float a = s != 0.0f ? y[j] / s : 0.0f;
    const float d = act == kTanh ? 1.0f - a * a : act == kElu ? (a >= 0.0f ? 1.0f : a + 1.0f) : 1.0f;
    dpre[j] = dy[j] * s * d;
  }
  std::memset(db, 0, sizeof(float) * n);
  for (int32_t i = 0; i < m; i++) {
    const float* row = dpre + size_t(i) * n;
    for (int32_t j = 0; j < n; j++) db[j] += row[j];
  }
  return nullptr;
}

// The seed's clip of Bernoulli means to [1e-8, 1 - 1e-8], applied to their logs (lib/loss.ts),
// and for the continuous Bernoulli to the logit its normaliser is computed from.
constexpr float kLogClip = -18.420680743952367f;  // log(1e-8)
constexpr float kLogitClip = 18.420680733952366f;  // logit(1 - 1e-8)

// bernoulliNll(x, logits, nll, m, n, continuous): nll (m) = -sum_j x log y + (1 - x) log(1 - y), y =
// sigmoid(logits), with log y = l - softplus(l) and log(1 - y) = -softplus(l), each >= log 1e-8;
// with `continuous`, the continuous Bernoulli's: minus sum_j log C(clip(l)) more.
napi_value BernoulliNll(napi_env env, napi_callback_info info) {
  Args args(env, info, 6, "bernoulliNll");
  const int32_t m = args.i32(3), n = args.i32(4);
  const float* x = args.f32(0, size_t(m) * n);
  const float* l = args.f32(1, size_t(m) * n);
  float* nll = args.f32(2, m);
  const bool continuous = args.boolean(5);
  if (!args.ok()) return nullptr;
  float terms[1024];
  for (int32_t i = 0; i < m; i++) {
    const float* xi = x + size_t(i) * n;
    const float* li = l + size_t(i) * n;
    double sum = 0;
    for (int32_t j0 = 0; j0 < n; j0 += 1024) {
      const int32_t len = n - j0 < 1024 ? n - j0 : 1024;
      for (int32_t j = 0; j < len; j++) {
        const float lj = li[j0 + j], xj = xi[j0 + j];
        const float sp = (lj > 0 ? lj : 0.0f) + vae::log1p_unit(vae::exp_f(lj > 0 ? -lj : lj));
        // max(., log 1e-8) written so that NaN passes through (a diverged model must give a NaN loss).
        const float log_y = lj - sp < kLogClip ? kLogClip : lj - sp;
        const float log_1my = -sp < kLogClip ? kLogClip : -sp;
        terms[j] = xj * log_y + (1.0f - xj) * log_1my;
      }
      if (continuous) {
        for (int32_t j = 0; j < len; j++) {
          const float lj = li[j0 + j];
          const float lc = lj < -kLogitClip ? -kLogitClip : (lj > kLogitClip ? kLogitClip : lj);
          terms[j] += vae::cb_log_normalizer(lc);
        }
      }
      for (int32_t j = 0; j < len; j++) sum += terms[j];
    }
    nll[i] = static_cast<float>(-sum);
  }
  return nullptr;
}

// bernoulliNllGrad(dNll, x, logits, dLogits, m, n, continuous): dLogits = dNll_i * d nll_i / d logits,
// i.e. dNll_i * (x (1 - y) [log y unclipped] - (1 - x) y [log(1 - y) unclipped]) * -1; at the clip
// boundary the gradient passes, as tf.maximum's; with `continuous`, minus d log C / dl inside the
// logit clip (0 beyond it, as tf.clipByValue's).
napi_value BernoulliNllGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, 7, "bernoulliNllGrad");
  const int32_t m = args.i32(4), n = args.i32(5);
  const float* dnll = args.f32(0, m);
  const float* x = args.f32(1, size_t(m) * n);
  const float* l = args.f32(2, size_t(m) * n);
  float* dl = args.f32(3, size_t(m) * n);
  const bool continuous = args.boolean(6);
  if (!args.ok()) return nullptr;
  for (int32_t i = 0; i < m; i++) {
    const float g = dnll[i];
    const size_t o = size_t(i) * n;
    for (int32_t j = 0; j < n; j++) {
      const float lj = l[o + j], xj = x[o + j];
      const float e = vae::exp_f(lj > 0 ? -lj : lj);  // e^-|l|
      const float sp = (lj > 0 ? lj : 0.0f) + vae::log1p_unit(e);
      const float y = lj >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);  // sigmoid(l)
      // Past the clip the gradient is 0, as tf.maximum's; a NaN logit gives NaN, as tfjs does
      // (its chain rule multiplies that 0 by the NaN derivative of the clipped expression).
      const float d_log_y = lj - sp >= kLogClip ? 1.0f - y : (lj != lj ? lj : 0.0f);
      const float d_log_1my = -sp >= kLogClip ? -y : (lj != lj ? lj : 0.0f);
      dl[o + j] = -g * (xj * d_log_y + (1.0f - xj) * d_log_1my);
    }
    if (continuous) {
      for (int32_t j = 0; j < n; j++) {
        const float lj = l[o + j];
        const float d_log_c = lj >= -kLogitClip && lj <= kLogitClip ? vae::cb_log_normalizer_grad(lj) : (lj != lj ? lj : 0.0f);
        dl[o + j] -= g * d_log_c;
      }
    }
  }
  return nullptr;
}

// bernoulliFill(state, out, p, value): out[i] = value with probability p, else 0, one uniform draw
// of mulberry32 each, in order, exactly as lib/rng.ts's Rng.next() < p; advances state (Int32Array).
napi_value BernoulliFill(napi_env env, napi_callback_info info) {
  Args args(env, info, 4, "bernoulliFill");
  size_t n = 0;
  uint32_t* state = reinterpret_cast<uint32_t*>(args.i32array(0, 1));
  float* out = args.f32(1, Args::kAnyLength, false, &n);
  const double p = args.f64(2), value = args.f64(3);
  if (!args.ok()) return nullptr;
  const uint32_t a0 = state[0];
  const float v = static_cast<float>(value);
  for (size_t i = 0; i < n; i++) {
    uint32_t t = a0 + uint32_t(i + 1) * 0x6d2b79f5u;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    t ^= t >> 14;
    out[i] = double(t) / 4294967296.0 < p ? v : 0.0f;
  }
  state[0] = a0 + uint32_t(n) * 0x6d2b79f5u;
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {{"sgemm", Sgemm}, {"adam", Adam}, {"dense", Dense}, {"activationGrad", ActivationGrad},
                   {"bernoulliNll", BernoulliNll}, {"bernoulliNllGrad", BernoulliNllGrad},
                   {"bernoulliFill", BernoulliFill}, {"blasThreads", BlasThreads}};
  for (const auto& f : functions) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  napi_value config;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config);
  napi_set_named_property(env, exports, "blasConfig", config);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
