// Optional native kernels for the wasm backend, working in place on Float32Array views of the
// wasm heap (no copies): single-precision matrix products through OpenBLAS's cblas_sgemm, the
// fused dense layer (product + bias + activation + dropout) and its gradient, the Bernoulli and
// continuous Bernoulli negative log-likelihoods from logits and their gradient, and Adam. Each call
// is split over a pool of threads (thread_pool.h; threads(n) sets how many): products by blocks of
// rows or columns of the result, each block one single-threaded sgemm, and the elementwise kernels
// by rows or ranges, cut by the machine's cores and never by the threads in use, so that every
// element is computed in the same order whatever the thread count (parts_for).
// Built at install time when OpenBLAS is present; the library runs without it (lib/core/kernels/native.ts).
#include <node_api.h>
#include <cblas.h>
#include <sched.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <string>

#include "thread_pool.h"
#include "vae_kernels.h"

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
  static constexpr size_t kMax = 16;

 public:
  static constexpr size_t kAnyLength = static_cast<size_t>(-1);

 private:
  napi_env env_;
  const char* name_;
  size_t argc_;
  napi_value argv_[kMax];
  bool ok_ = true;
};

vae::ThreadPool& pool() {
  static vae::ThreadPool* p = new vae::ThreadPool();  // never destroyed: its threads end with the process
  return *p;
}

// [lo, hi) of part p when [0, total) is cut into `parts` pieces whose bounds are multiples of
// `align` (the last piece takes the rest).
struct Range {
  size_t lo, hi;
};
Range part_range(size_t total, int parts, int p, size_t align) {
  const size_t blocks = (total + align - 1) / align;
  const size_t lo = std::min(total, (blocks * p / parts) * align);
  const size_t hi = p + 1 == parts ? total : std::min(total, (blocks * (p + 1) / parts) * align);
  return {lo, hi};
}

// The cores this process may run on (its affinity mask, as os.availableParallelism()).
int machine_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// How many parts a kernel over `work` units (multiply-adds, or elements) is cut into: one per
// core of the machine, but none smaller than `grain` (a part must outweigh waking a thread).
// The cut depends on the shape and the machine, never on the threads in use: OpenBLAS may sum a
// narrow block in another order than a wide one, so a product cut the same way gives the same
// bits on 1, 2 or 3 threads (the pool hands the parts to whichever threads there are).
int parts_for(double work, double grain) {
  static const int cores = machine_cores();
  const double most = work / grain;
  return most < 2 ? 1 : (most < cores ? static_cast<int>(most) : cores);
}

constexpr double kGemmGrain = 1 << 18;    // multiply-adds (~5 µs)
constexpr double kElementGrain = 1 << 14;  // elements (~5 µs at a few ns each)
// Elements of a kernel that reads and writes memory at a fraction of a ns each (the activation
// gradient): split, it spends more moving cache lines between cores than it saves.
constexpr double kMemoryGrain = 1 << 19;
constexpr size_t kAlign = 16;               // floats: a cache line, and OpenBLAS's widest unroll

// C (m x n, row stride n) = op(A) op(B) + beta C, cut into parts for the pool: by rows of C when
// m >= n, else by columns, so that the operand packed again by every part is the smaller one. Each
// part is one single-threaded sgemm over the whole of k: an element's sum runs in the same order as
// in one call. Before its product, prologue(r0, r1, c0, c1) may fill the part's block of C; after
// it, epilogue(r0, r1, c0, c1) may transform it. The parts can be handed out with other work's
// (denseGrad runs two products in one call of the pool): a part computes the same wherever it runs.
struct Product {
  bool ta, tb;
  int m, n, k;
  const float* a;
  const float* b;
  float beta;
  float* c;
  bool by_rows;
  int parts;  // one for an empty product (k = 0)
  Product(bool ta_, bool tb_, int m_, int n_, int k_, const float* a_, const float* b_, float beta_, float* c_)
      : ta(ta_), tb(tb_), m(m_), n(n_), k(k_), a(a_), b(b_), beta(beta_), c(c_), by_rows(m_ >= n_),
        parts(k_ == 0 ? 1 : parts_for(double(m_) * n_ * k_, kGemmGrain)) {}
  template <class Prologue, class Epilogue>
  void run_part(int p, Prologue prologue, Epilogue epilogue) const {
    if (k == 0) {  // an empty product: C = beta C (OpenBLAS would leave C as it was); one part
      prologue(0, m, 0, n);
      if (beta == 0.0f) std::fill(c, c + size_t(m) * n, 0.0f);
      epilogue(0, m, 0, n);
      return;
    }
    const Range r = by_rows ? part_range(m, parts, p, kAlign) : Range{0, size_t(m)};
    const Range q = by_rows ? Range{0, size_t(n)} : part_range(n, parts, p, kAlign);
    if (r.hi <= r.lo || q.hi <= q.lo) return;
    prologue(r.lo, r.hi, q.lo, q.hi);
    const float* ab = ta ? a + r.lo : a + r.lo * k;
    const float* bb = tb ? b + q.lo * k : b + q.lo;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(r.hi - r.lo), int(q.hi - q.lo), k,
                1.0f, ab, ta ? m : k, bb, tb ? k : n, beta, c + r.lo * n + q.lo, n);
    epilogue(r.lo, r.hi, q.lo, q.hi);
  }
};

void no_block(size_t, size_t, size_t, size_t) {}

// The product on the pool, its parts as Product cuts them.
template <class Prologue, class Epilogue>
void gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float beta, float* c, Prologue prologue,
          Epilogue epilogue) {
  const Product product(ta, tb, m, n, k, a, b, beta, c);
  pool().run(product.parts, [&](int p) { product.run_part(p, prologue, epilogue); });
}

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
  gemm(ta, tb, m, n, k, a, b, 0.0f, c, no_block, no_block);
  return nullptr;
}

// threads(n): the threads every kernel call is split over from now on (n >= 1; 0 leaves them);
// returns the number in force. OpenBLAS itself runs on one thread (lib/core/kernels/native.ts): the
// pool splits its products.
napi_value Threads(napi_env env, napi_callback_info info) {
  Args args(env, info, 1, "threads");
  const int32_t n = args.i32(0);
  if (args.ok() && n > 1024) args.fail("expected at most 1024 threads");
  if (!args.ok()) return nullptr;
  if (n > 0) pool().resize(n);
  napi_value out;
  napi_create_int32(env, pool().size(), &out);
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
  const int parts = parts_for(lw, kElementGrain);
  pool().run(parts, [&](int p) {
    const Range r = part_range(lw, parts, p, kAlign);
    vae::adam_range(w, g, m, v, r.lo, r.hi, lr, b1, b2, c1, c2, eps);
  });
  return nullptr;
}

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
  // Each block of y: the bias, then the product added (sgemm's beta = 1), then act and mask.
  auto bias = [&](size_t r0, size_t r1, size_t c0, size_t c1) {
    for (size_t i = r0; i < r1; i++) std::memcpy(y + i * n + c0, b + c0, sizeof(float) * (c1 - c0));
  };
  auto finish = [&](size_t r0, size_t r1, size_t c0, size_t c1) {
    for (size_t i = r0; i < r1; i++) vae::activate_row(act, y + i * n, mask ? mask + i * n : nullptr, c0, c1);
  };
  gemm(false, false, m, n, k, x, w, 1.0f, y, bias, finish);
  return nullptr;
}

// dPre by rows, then db by columns: each column summed over the rows in order, as one thread would.
void activation_grad(const float* dy, const float* y, const float* mask, float* dpre, float* db, int m, int n, int act) {
  const size_t mn = size_t(m) * n;
  const int parts = parts_for(double(mn), kMemoryGrain);
  pool().run(parts, [&](int p) {
    const Range r = part_range(m, parts, p, 1);
    for (size_t i = r.lo; i < r.hi; i++) vae::activation_grad_row(act, dy + i * n, y + i * n, mask ? mask + i * n : nullptr, dpre + i * n, n);
  });
  pool().run(parts, [&](int p) {
    const Range q = part_range(n, parts, p, kAlign);
    vae::column_sums(dpre, db, m, n, q.lo, q.hi);
  });
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
  activation_grad(dy, y, mask, dpre, db, m, n, act);
  return nullptr;
}

// denseGrad(dy, y, mask | null, x, w, dPre, db, dx | null, dW, m, k, n, activation): dense's backward in
// one call: dPre and db as activationGrad, then dx = dPre w^T (m x k, when given) and dW = x^T dPre
// (k x n), the two products' parts (cut as sgemm would cut each) handed out together: the same bits
// as activationGrad and two sgemm calls, one wait for the pool fewer, no thread idle between them.
napi_value DenseGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, 13, "denseGrad");
  const int32_t m = args.i32(9), k = args.i32(10), n = args.i32(11), act = args.activation(12);
  const size_t mn = size_t(m) * n;
  const float* dy = args.f32(0, mn);
  const float* y = args.f32(1, mn);
  const float* mask = args.f32(2, mn, true);
  const float* x = args.f32(3, size_t(m) * k);
  const float* w = args.f32(4, size_t(k) * n);
  float* dpre = args.f32(5, mn);
  float* db = args.f32(6, n);
  float* dx = args.f32(7, size_t(m) * k, true);
  float* dw = args.f32(8, size_t(k) * n);
  if (!args.ok()) return nullptr;
  activation_grad(dy, y, mask, dpre, db, m, n, act);
  const Product input(false, true, m, k, n, dpre, w, 0.0f, dx);
  const Product weights(true, false, k, n, m, x, dpre, 0.0f, dw);
  const int input_parts = dx ? input.parts : 0;
  const int weight_parts = weights.parts;
  pool().run(input_parts + weight_parts, [&](int p) {
    if (p < input_parts) input.run_part(p, no_block, no_block);
    else weights.run_part(p - input_parts, no_block, no_block);
  });
  return nullptr;
}

// bernoulliNll(x, logits, nll, m, n, continuous, logClip, logitClip): nll (m) = -sum_j x log y +
// (1 - x) log(1 - y), y = sigmoid(logits), with log y = l - softplus(l) and log(1 - y) = -softplus(l),
// each >= logClip; with `continuous`, the continuous Bernoulli's: minus sum_j log C(clip(l)) more,
// l clipped to +-logitClip. The clips are lib/core/likelihood.ts's, passed in.
napi_value BernoulliNll(napi_env env, napi_callback_info info) {
  Args args(env, info, 8, "bernoulliNll");
  const int32_t m = args.i32(3), n = args.i32(4);
  const float* x = args.f32(0, size_t(m) * n);
  const float* l = args.f32(1, size_t(m) * n);
  float* nll = args.f32(2, m);
  const bool continuous = args.boolean(5);
  const float log_clip = args.f64(6), logit_clip = args.f64(7);
  if (!args.ok()) return nullptr;
  const int parts = parts_for(double(m) * n, kElementGrain);
  pool().run(parts, [&](int p) {
    const Range rows = part_range(m, parts, p, 1);
    for (size_t i = rows.lo; i < rows.hi; i++) nll[i] = vae::bernoulli_nll_row(x + i * n, l + i * n, n, continuous, log_clip, logit_clip);
  });
  return nullptr;
}

// bernoulliNllGrad(dNll, x, logits, dLogits, m, n, continuous, logClip, logitClip): dLogits = dNll_i * d nll_i / d logits,
// i.e. dNll_i * (x (1 - y) [log y unclipped] - (1 - x) y [log(1 - y) unclipped]) * -1; at the clip
// boundary the gradient passes, as tf.maximum's; with `continuous`, minus d log C / dl inside the
// logit clip (0 beyond it, as tf.clipByValue's).
napi_value BernoulliNllGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, 9, "bernoulliNllGrad");
  const int32_t m = args.i32(4), n = args.i32(5);
  const float* dnll = args.f32(0, m);
  const float* x = args.f32(1, size_t(m) * n);
  const float* l = args.f32(2, size_t(m) * n);
  float* dl = args.f32(3, size_t(m) * n);
  const bool continuous = args.boolean(6);
  const float log_clip = args.f64(7), logit_clip = args.f64(8);
  if (!args.ok()) return nullptr;
  const int parts = parts_for(double(m) * n, kElementGrain);
  pool().run(parts, [&](int p) {
    const Range rows = part_range(m, parts, p, 1);
    for (size_t i = rows.lo; i < rows.hi; i++) vae::bernoulli_nll_grad_row(dnll[i], x + i * n, l + i * n, dl + i * n, n, continuous, log_clip, logit_clip);
  });
  return nullptr;
}

// bernoulliFill(state, out, p, value): out[i] = value with probability p, else 0, one uniform draw
// of mulberry32 each, in order, exactly as lib/core/rng.ts's Rng.next() < p; advances state (Int32Array).
napi_value BernoulliFill(napi_env env, napi_callback_info info) {
  Args args(env, info, 4, "bernoulliFill");
  size_t n = 0;
  uint32_t* state = reinterpret_cast<uint32_t*>(args.i32array(0, 1));
  float* out = args.f32(1, Args::kAnyLength, false, &n);
  const double p = args.f64(2), value = args.f64(3);
  if (!args.ok()) return nullptr;
  const uint32_t a0 = state[0];
  const float v = static_cast<float>(value);
  // Draw i depends only on the state and i: parts can draw their ranges independently.
  const int parts = parts_for(double(n), kElementGrain);
  pool().run(parts, [&](int part) {
    const Range r = part_range(n, parts, part, kAlign);
    vae::bernoulli_fill_range(a0, out, r.lo, r.hi, p, v);
  });
  state[0] = a0 + uint32_t(n) * 0x6d2b79f5u;
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {{"sgemm", Sgemm}, {"adam", Adam}, {"dense", Dense}, {"activationGrad", ActivationGrad}, {"denseGrad", DenseGrad},
                   {"bernoulliNll", BernoulliNll}, {"bernoulliNllGrad", BernoulliNllGrad},
                   {"bernoulliFill", BernoulliFill}, {"threads", Threads}};
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
