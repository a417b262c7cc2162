//===- HalideStep.h - Training-step kernels generated through Halide -*- C++ -*-===//
//
// Part of sparsec. A runtime::Graph becomes two Halide pipelines: the
// forward pass (inference: logits for a batch) and the training step
// (training-mode forward, mean softmax cross-entropy, backward: the loss, the
// number of correct predictions and every trainable parameter's gradient).
// Parameters are inputs, so one compiled step serves every update of the
// weights; the masks are not: each masked weight's kept positions are baked
// into the kernels as index lists, so the cost of forward, input gradients
// and weight gradients scales with the surviving weights, and the kernels
// are rebuilt when a mask changes.
//
// The same pipelines are JIT-compiled by `sparsec train --kernel halide` and
// compiled ahead of time by `sparsec compile --train` into an object and a
// header for apps that fine-tune with the runtime library.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_TRAIN_HALIDESTEP_H
#define SPARSEC_TRAIN_HALIDESTEP_H

#include "sparsec/runtime/Step.h"

#include <memory>
#include <string>

namespace sparsec::train {

/// JIT-compiled Halide step kernels for `g` (for the host), using up to
/// `threads` threads. Null with `error` set if the graph has an op they do
/// not implement or Halide fails. Gradients of masked-out weights (for
/// regrowth) come from the reference kernels, as the generated ones only
/// know the kept positions.
std::unique_ptr<runtime::StepKernel> makeHalideStep(const runtime::Graph &g,
                                                    int threads,
                                                    std::string &error);

/// What `compileTrainStep` writes; empty paths are skipped. Each file is
/// written to a temporary name and renamed into place once all are written.
struct TrainStepOutputs {
  std::string object;
  std::string header;
  std::string stmt;
};

/// Compiles `g`'s training step ahead of time for the Halide target string
/// `halideTarget` (e.g. "x86-64-linux-avx-avx2-f16c-fma-sse41") into one
/// object with three entry points on Halide buffers: `<name>_train_step`
/// (loss, correct count and gradients), `<name>_train_forward` (the
/// network's output for given parameters) and `<name>_train_init` (the
/// parameters' values and masks as compiled), and a header that declares
/// them and describes every parameter. Returns false with `error` set on
/// failure; nothing is written then.
bool compileTrainStep(const runtime::Graph &g, const std::string &name,
                      const std::string &halideTarget,
                      const std::string &sourceName,
                      const TrainStepOutputs &outputs, std::string &error);

} // namespace sparsec::train

#endif // SPARSEC_TRAIN_HALIDESTEP_H
