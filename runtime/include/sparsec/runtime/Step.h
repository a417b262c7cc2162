//===- Step.h - One training step: forward, loss, backward ------*- C++ -*-===//
//
// Part of sparsec's runtime. A StepKernel computes, for a batch, the logits
// (inference) or the mean softmax cross-entropy and the gradient of every
// trainable parameter (training). The training loop owns the parameters'
// values in the Graph; kernels read them at every call.
//
// ReferenceStep is the portable implementation in plain C++: it needs no
// compiler at run time and is what finite-difference tests check. sparsec
// also generates specialised kernels through Halide (lib/Train), which
// implement the same interface.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_STEP_H
#define SPARSEC_RUNTIME_STEP_H

#include "sparsec/runtime/Graph.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace sparsec::runtime {

struct StepResult {
  /// Mean softmax cross-entropy over the batch.
  double loss = 0.0;
  /// Examples whose largest logit is their label.
  int64_t correct = 0;
};

/// One vector per parameter, sized like its values (empty when the
/// parameter is not trainable).
using Gradients = std::vector<std::vector<float>>;

/// Gradients sized for `g`'s trainable parameters, all zero.
Gradients makeGradients(const Graph &g);

class StepKernel {
public:
  virtual ~StepKernel();
  virtual const char *name() const = 0;

  /// The network's output for `n` examples (row-major, n x outputSize).
  virtual Status forward(const float *x, int64_t n, float *out) = 0;

  /// Training-mode forward (dropout active, its masks drawn from
  /// `dropoutSeed`), mean cross-entropy against `labels`, and backward. Every
  /// trainable parameter's gradient is overwritten. Gradients of masked-out
  /// weights are computed only when `maskedGrads` is set (for regrowth);
  /// otherwise they are zero.
  virtual Status train(const float *x, const int32_t *labels, int64_t n,
                       uint64_t dropoutSeed, bool maskedGrads,
                       StepResult &result, Gradients &grads) = 0;

  /// The graph's masks or shapes changed: kernels specialised to them must
  /// be rebuilt before the next call.
  virtual Status refresh() { return Status::success(); }
};

/// Plain C++ loops; cost scales with the surviving weights (zero weights
/// are skipped in forward and in the input gradient, masked-out weights get
/// no gradient). With `threads` > 1, each batch is split into that many
/// contiguous shards run on their own threads and their gradients added in
/// shard order: the same loss scaling and dropout draws as one thread, the
/// weight gradients' sums formed in a different order, and bit-identical
/// results from run to run for a given thread count.
std::unique_ptr<StepKernel> makeReferenceStep(const Graph &g, int threads = 1);

/// Cross-entropy of one row of logits against `label`, in double precision,
/// and its gradient (softmax - onehot) scaled by `scale` into `grad` (may be
/// null). A network whose last op is snn.softmax is trained on the
/// softmax's input, so that the loss is computed stably.
double crossEntropy(const float *row, int64_t classes, int32_t label,
                    float scale, float *grad);

/// Index of the largest value (the first one on ties).
int64_t argmax(const float *row, int64_t n);

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_STEP_H
