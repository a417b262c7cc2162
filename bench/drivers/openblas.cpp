//===- openblas.cpp - OpenBLAS sgemm / sgemv as the dense yardstick ------===//
//
// FC batch 1 is sgemv, FC batch N is sgemm on x * W^T, a 1x1 conv is sgemm on
// W * X (X is C x HW in NCHW already), a 3x3 conv is im2col + sgemm with the
// im2col inside the timed region (it is part of that convolution's cost).
// The kernel family is chosen by the harness with OPENBLAS_CORETYPE
// (Haswell = AVX2, SkylakeX = AVX-512), and the thread count with
// openblas_set_num_threads.
//
//===----------------------------------------------------------------------===//
#include "common.h"

#include <cblas.h>

extern "C" char *openblas_get_corename(void);

using namespace bench;

int main(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  Case c = loadCase(o.caseDir);
  if (c.kind == "conv" && c.groups != 1)
    reportNA("grouped/depthwise convolution is not a GEMM");
  openblas_set_num_threads(o.threads);

  std::vector<float> y(c.outSize());
  std::vector<float> cols;
  std::function<void()> run;
  const float *w = c.wm.data(), *x = c.x.data();
  if (c.isFC() && c.N == 1) {
    run = [&] {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, c.M, c.K, 1.0f, w, c.K, x, 1,
                  0.0f, y.data(), 1);
    };
  } else if (c.isFC()) {
    run = [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, c.N, c.M, c.K, 1.0f,
                  x, c.K, w, c.K, 0.0f, y.data(), c.M);
    };
  } else if (c.isPointwise()) {
    run = [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c.M, c.N, c.K,
                  1.0f, w, c.K, x, c.N, 0.0f, y.data(), c.N);
    };
  } else {
    cols.resize(size_t(c.K) * c.N);
    run = [&] {
      im2col(c, x, cols.data());
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c.M, c.N, c.K,
                  1.0f, w, c.K, cols.data(), c.N, 0.0f, y.data(), c.N);
    };
  }
  Stats s = measure(o, run);
  writeOutput(o, y.data(), y.size());
  reportOK(s, std::string("core ") + openblas_get_corename() +
                  (c.isFC() && c.N == 1 ? " sgemv" : " sgemm"));
  return 0;
}
