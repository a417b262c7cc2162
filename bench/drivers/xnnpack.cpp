//===- xnnpack.cpp - XNNPACK sparse (NCHW SpMM) and dense operators -----===//
//
// --variant sparse: the operator XNNPACK's sparse inference uses. With
//   XNN_FLAG_SPARSE_INFERENCE a Runtime rewrites a subgraph to NCHW only
//   when the subgraph starts with a 3x3 stride-2 convolution on 3 channels
//   and ends in a global pooling (a whole MobileNet), never for a lone 1x1
//   convolution, so the driver calls that NCHW 1x1 convolution operator
//   (xnn_create_convolution2d_nchw_f32, SpMM microkernels) directly. It
//   packs the nonzeros itself. FC layers run as a 1x1 convolution over x^T
//   (K channels x N pixels), transposed outside the timed region.
// --variant dense: the NHWC convolution / fully-connected operators (GEMM and
//   depthwise microkernels), the layouts XNNPACK runs dense networks in.
// Threads come from a pthreadpool of --threads workers.
//
//===----------------------------------------------------------------------===//
#include "common.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cmath>
#include <limits>

using namespace bench;

static void check(xnn_status s, const char *what) {
  if (s != xnn_status_success)
    fail(std::string(what) + " failed with status " + std::to_string(int(s)));
}

int main(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  Case c = loadCase(o.caseDir);
  bool sparse = o.variant == "sparse";
  if (!sparse && o.variant != "dense")
    fail("--variant must be sparse or dense");
  if (sparse && !(c.isFC() || c.isPointwise()))
    reportNA("XNNPACK's sparse (SpMM) path covers 1x1 convolutions only");
  check(xnn_initialize(nullptr), "xnn_initialize");
  pthreadpool_t pool = o.threads > 1 ? pthreadpool_create(o.threads) : nullptr;
  const float lo = -std::numeric_limits<float>::infinity();
  const float hi = std::numeric_limits<float>::infinity();

  xnn_operator_t op = nullptr;
  std::vector<float> in, out(c.outSize()), y(c.outSize());
  if (sparse) {
    // Channels C = K, "pixels" = N: input is K x N, output M x N.
    int64_t hw = c.N;
    check(xnn_create_convolution2d_nchw_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
                                            c.K, c.M, c.K, c.M, c.wm.data(),
                                            nullptr, lo, hi, 0, &op),
          "xnn_create_convolution2d_nchw_f32");
    in = c.isFC() ? transpose(c.x, c.N, c.K) : c.x;
    check(xnn_setup_convolution2d_nchw_f32(op, 1, 1, hw, in.data(), out.data(),
                                           pool),
          "xnn_setup_convolution2d_nchw_f32");
  } else if (c.isFC()) {
    check(xnn_create_fully_connected_nc_f32(c.K, c.M, c.K, c.M, c.wm.data(),
                                            nullptr, lo, hi, 0, &op),
          "xnn_create_fully_connected_nc_f32");
    in = c.x;
    check(xnn_setup_fully_connected_nc_f32(op, c.N, in.data(), out.data(), pool),
          "xnn_setup_fully_connected_nc_f32");
  } else {
    // NHWC activations and OHWI (per group) weights.
    int64_t cg = c.C / c.groups, mg = c.M / c.groups;
    std::vector<float> ohwi(c.wm.size());
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t i = 0; i < cg; ++i)
        for (int64_t kh = 0; kh < c.KH; ++kh)
          for (int64_t kw = 0; kw < c.KW; ++kw)
            ohwi[((m * c.KH + kh) * c.KW + kw) * cg + i] =
                c.wm[((m * cg + i) * c.KH + kh) * c.KW + kw];
    check(xnn_create_convolution2d_nhwc_f32(
              c.pad, c.pad, c.pad, c.pad, c.KH, c.KW, 1, 1, 1, 1, c.groups, cg,
              mg, c.C, c.M, ohwi.data(), nullptr, lo, hi, 0, &op),
          "xnn_create_convolution2d_nhwc_f32");
    in = transpose(c.x, c.C, c.H * c.W); // C x HW -> HW x C
    check(xnn_setup_convolution2d_nhwc_f32(op, 1, c.H, c.W, in.data(),
                                           out.data(), pool),
          "xnn_setup_convolution2d_nhwc_f32");
  }
  Stats s = measure(o, [&] { check(xnn_run_operator(op, pool), "run"); });
  // Back to the canonical layout: N x M for FC, M x OH*OW for conv.
  if (sparse && c.isFC())
    y = transpose(out, c.M, c.N);
  else if (!sparse && !c.isFC())
    y = transpose(out, c.N, c.M);
  else
    y = out;
  writeOutput(o, y.data(), y.size());
  xnn_delete_operator(op);
  if (pool)
    pthreadpool_destroy(pool);
  reportOK(s, sparse ? "nchw spmm" : "nhwc dense");
  return 0;
}
