//===- StepKernels.cpp - Choosing the training step's kernels ---*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Train/StepKernels.h"
#include "sparsec/Train/HalideStep.h"

using namespace mlir;
using namespace sparsec;

LogicalResult train::makeStepKernel(StringRef kind, const runtime::Graph &g,
                                    int threads,
                                    std::unique_ptr<runtime::StepKernel> &out,
                                    func::FuncOp fn, bool training) {
  if (threads < 1)
    return fn.emitError() << "--threads=" << threads
                          << ": the step kernels need at least one thread";
  if (threads > 256)
    return fn.emitError() << "--threads=" << threads
                          << " is more than the 256 the step kernels take";
  if (kind == "reference") {
    out = runtime::makeReferenceStep(g, threads);
    return success();
  }
  if (kind == "halide") {
    std::string error;
    out = makeHalideStep(g, threads, error);
    if (!out)
      return fn.emitError() << error;
    if (training)
      if (runtime::Status s = out->refresh(); !s)
        return fn.emitError() << s.message();
    return success();
  }
  return fn.emitError() << "unknown step kernels '" << kind
                        << "'; use reference or halide";
}
