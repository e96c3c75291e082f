// Optional native kernels for the wasm backend: single-precision matrix products through
// OpenBLAS's cblas_sgemm, working in place on Float32Array views of the wasm heap (no copies).
// Built at install time when OpenBLAS is present; the library runs without it.
#include <node_api.h>
#include <cblas.h>
#include <cmath>
#include <cstdint>

namespace {

bool get_f32(napi_env env, napi_value v, float** data, size_t* length) {
  napi_typedarray_type type;
  void* ptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &ptr, &buffer, &offset) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "expected a Float32Array");
    return false;
  }
  *data = static_cast<float*>(ptr);
  return true;
}

bool get_i32(napi_env env, napi_value v, int32_t* out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, nullptr, "expected an integer");
    return false;
  }
  return true;
}

// sgemm(transA, transB, M, N, K, A, B, C): C (M x N) = op(A) (M x K) * op(B) (K x N), row-major,
// op(A) = A^T when transA (A stored K x M), likewise for B.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 8) {
    napi_throw_error(env, nullptr, "sgemm takes 8 arguments");
    return nullptr;
  }
  bool ta, tb;
  napi_get_value_bool(env, argv[0], &ta);
  napi_get_value_bool(env, argv[1], &tb);
  int32_t m, n, k;
  if (!get_i32(env, argv[2], &m) || !get_i32(env, argv[3], &n) || !get_i32(env, argv[4], &k)) return nullptr;
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!get_f32(env, argv[5], &a, &la) || !get_f32(env, argv[6], &b, &lb) || !get_f32(env, argv[7], &c, &lc)) return nullptr;
  if (m < 0 || n < 0 || k < 0 || la < size_t(m) * k || lb < size_t(k) * n || lc < size_t(m) * n) {
    napi_throw_range_error(env, nullptr, "sgemm: array shorter than its matrix");
    return nullptr;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              ta ? m : k, b, tb ? k : n, 0.0f, c, n);
  return nullptr;
}

bool get_f64(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    napi_throw_type_error(env, nullptr, "expected a number");
    return false;
  }
  return true;
}

// adam(w, g, m, v, lr, beta1, beta2, c1, c2, eps): one Adam step in place, as tf.train.adam:
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr (m / c1) / (sqrt(v / c2) + eps),
// with c1 = 1 - b1^t and c2 = 1 - b2^t.
napi_value Adam(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 10) {
    napi_throw_error(env, nullptr, "adam takes 10 arguments");
    return nullptr;
  }
  float *w, *g, *m, *v;
  size_t lw, lg, lm, lv;
  if (!get_f32(env, argv[0], &w, &lw) || !get_f32(env, argv[1], &g, &lg) || !get_f32(env, argv[2], &m, &lm) ||
      !get_f32(env, argv[3], &v, &lv))
    return nullptr;
  double p[6];
  for (int i = 0; i < 6; i++)
    if (!get_f64(env, argv[4 + i], &p[i])) return nullptr;
  if (lg != lw || lm != lw || lv != lw) {
    napi_throw_range_error(env, nullptr, "adam: arrays differ in length");
    return nullptr;
  }
  const float lr = p[0], b1 = p[1], b2 = p[2], c1 = p[3], c2 = p[4], eps = p[5];
  for (size_t j = 0; j < lw; j++) {
    const float gj = g[j];
    const float mj = m[j] = b1 * m[j] + (1 - b1) * gj;
    const float vj = v[j] = b2 * v[j] + (1 - b2) * gj * gj;
    w[j] -= lr * (mj / c1) / (std::sqrt(vj / c2) + eps);
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, Sgemm, nullptr, &fn);
  napi_set_named_property(env, exports, "sgemm", fn);
  napi_create_function(env, "adam", NAPI_AUTO_LENGTH, Adam, nullptr, &fn);
  napi_set_named_property(env, exports, "adam", fn);
  napi_value config;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config);
  napi_set_named_property(env, exports, "blasConfig", config);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
