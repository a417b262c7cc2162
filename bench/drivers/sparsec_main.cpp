//===- sparsec_main.cpp - Times a layer compiled by `sparsec compile` -----===//
//
// Built once per case by the harness:
//   c++ -O2 -std=c++17 -include net.h -DSPARSEC_FN=<name> sparsec_main.cpp
//       common.cpp net.o -lpthread -ldl -lm
// where net.o / net.h come from `sparsec compile net.mlir -o net.o` (issue 4):
// net.h declares `int <name>(const float *input, float *output);` over
// contiguous row-major buffers of the function's input and result shapes,
// which are exactly the harness's canonical layouts (N x K -> N x M for FC,
// 1 x C x H x W -> 1 x M x OH x OW for conv). Weights and the sparsity
// pattern are baked into net.o; this driver only supplies the input. The
// thread count was fixed at compile time (--threads); --threads here is only
// recorded. For whole networks, --input FILE --output-count N replace --case.
//
//===----------------------------------------------------------------------===//
#include "common.h"

#ifndef SPARSEC_FN
#error "build with -DSPARSEC_FN=<function name> -include net.h"
#endif

using namespace bench;

int main(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  std::vector<float> x, y;
  if (!o.caseDir.empty()) {
    Case c = loadCase(o.caseDir);
    x = std::move(c.x);
    y.assign(c.outSize(), 0.0f);
  } else {
    x = readFloats(o.input);
    y.assign(size_t(o.outputCount), 0.0f);
  }
  int rc = SPARSEC_FN(x.data(), y.data());
  if (rc != 0)
    fail("sparsec function returned " + std::to_string(rc));
  Stats s = measure(o, [&] { rc |= SPARSEC_FN(x.data(), y.data()); });
  if (rc != 0)
    fail("sparsec function returned non-zero during timing");
  writeOutput(o, y.data(), y.size());
  reportOK(s, "sparsec");
  return 0;
}
