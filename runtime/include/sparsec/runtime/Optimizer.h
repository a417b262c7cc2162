//===- Optimizer.h - Optimisers, schedules and regularisers -----*- C++ -*-===//
//
// Part of sparsec's runtime. Every update respects masks: a masked-out
// element keeps the value zero, and its optimiser state is neither read nor
// written, so that a weight regrown later starts from a clean state.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_OPTIMIZER_H
#define SPARSEC_RUNTIME_OPTIMIZER_H

#include "sparsec/runtime/Graph.h"
#include "sparsec/runtime/Step.h"

#include <string>
#include <vector>

namespace sparsec::runtime {

enum class OptimizerKind { SGD, Momentum, Nesterov, RMSprop, Adam };

/// Parses "sgd", "momentum", "nesterov", "rmsprop", "adam".
bool parseOptimizer(const std::string &s, OptimizerKind &out);
const char *optimizerName(OptimizerKind k);

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::SGD;
  /// Momentum and Nesterov.
  float momentum = 0.9f;
  /// RMSprop's smoothing constant.
  float alpha = 0.99f;
  /// Adam.
  float beta1 = 0.9f, beta2 = 0.999f;
  float epsilon = 1e-8f;
  /// L2 regularisation: l2 * w is added to the gradient of every weight (not
  /// biases) before the optimiser sees it, as PyTorch's `weight_decay` does.
  float l2 = 0.0f;
  /// Decoupled weight decay (AdamW): w *= 1 - lr * weightDecay before the
  /// step, for weights (not biases).
  float weightDecay = 0.0f;
};

/// The state of an optimiser: up to two slots per parameter, and the number
/// of steps taken (Adam's bias correction).
struct OptimizerState {
  int64_t steps = 0;
  std::vector<std::vector<float>> slot1, slot2;
};

class Optimizer {
public:
  Optimizer(const OptimizerOptions &options, const Graph &g);

  /// One update of every trainable parameter with learning rate `lr`.
  void step(Graph &g, const Gradients &grads, float lr);
  /// Forgets the state of one element (a regrown connection).
  void resetElement(int param, int64_t index);

  OptimizerState &state() { return st; }
  const OptimizerState &state() const { return st; }
  const OptimizerOptions &options() const { return opts; }

private:
  OptimizerOptions opts;
  OptimizerState st;
  std::vector<bool> isWeight;
};

enum class ScheduleKind { Constant, Step, Linear, Cosine };
bool parseSchedule(const std::string &s, ScheduleKind &out);

/// The learning rate as a pure function of the step, so a resumed run needs
/// no schedule state.
struct LrSchedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double base = 0.01;
  /// Linear warm-up from base / warmup to base over the first `warmup` steps.
  int64_t warmup = 0;
  /// Steps in the whole run (linear and cosine decay to `final` at the end);
  /// 0 lets the trainer fill in epochs x steps per epoch.
  int64_t total = 0;
  /// Step decay: multiply by `gamma` every `stepSize` steps.
  int64_t stepSize = 1;
  double gamma = 0.1;
  /// Where linear and cosine decay end.
  double final = 0.0;

  double at(int64_t step) const;
};

/// Soft-thresholding, the proximal step of lr * l1 * |w|: weights within
/// lr * l1 of zero become exactly zero. Applies to dense and conv2d weights.
void proximalL1(Graph &g, float lr, float l1);

/// Group lasso's proximal step on output units (filters of conv2d layers,
/// neurons of dense layers): each unit's weights and bias, as one vector u,
/// become u * max(0, 1 - lr * lambda * sqrt(|u|) / ||u||), so whole units
/// reach exactly zero.
void proximalGroupLasso(Graph &g, float lr, float lambda);

/// The value of the regularisers at the current weights (for the log).
double l1Penalty(const Graph &g);
double l2Penalty(const Graph &g);

/// Output units whose weights and bias are all zero, over dense and conv2d
/// layers, and the total number of such units.
int64_t deadUnits(const Graph &g, int64_t *total = nullptr);

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_OPTIMIZER_H
