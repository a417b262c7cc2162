//===- Trainer.h - The training loop ----------------------------*- C++ -*-===//
//
// Part of sparsec's runtime. Epochs of shuffled mini-batches through a
// StepKernel, with the optimiser, regularisers, pruning schedule, regrowth,
// growing and checkpoints. Everything a step does is a pure function of the
// seed, the step number and the state in the checkpoint, so a run resumed
// from a checkpoint reaches bit-identical weights.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_TRAINER_H
#define SPARSEC_RUNTIME_TRAINER_H

#include "sparsec/runtime/Data.h"
#include "sparsec/runtime/Graph.h"
#include "sparsec/runtime/Optimizer.h"
#include "sparsec/runtime/Prune.h"
#include "sparsec/runtime/Step.h"

#include <memory>
#include <string>
#include <vector>

namespace sparsec::runtime {

struct GrowOptions {
  /// Hidden units added to every hidden dense layer at each growth.
  int64_t units = 0;
  /// Connections added at each growth, as a fraction of the active ones,
  /// chosen by gradient magnitude.
  double connections = 0.0;
  /// Grow at the end of every epoch until the test accuracy reaches
  /// `targetAccuracy` or the nonzero weights reach `budget` (0: no limit).
  double targetAccuracy = 1.0;
  int64_t budget = 0;

  bool enabled() const { return units > 0 || connections > 0.0; }
};

struct TrainOptions {
  int64_t epochs = 1;
  int64_t batch = 64;
  uint64_t seed = 1;
  OptimizerOptions optimizer;
  /// `lr.total` is filled in by the trainer (epochs x steps per epoch)
  /// when 0.
  LrSchedule lr;
  /// Proximal L1 and group lasso strengths (L2 is in `optimizer`).
  float l1 = 0.0f, groupLasso = 0.0f;
  PruneSchedule prune;
  PruneSpec pruneSpec;
  /// Smoothing of the gradient average the Taylor criterion uses.
  double taylorDecay = 0.9;
  RigLOptions rigl;
  GrowOptions grow;
  /// Write a checkpoint every N steps (and at the end of every epoch) when
  /// N > 0 and `checkpointPath` is set.
  int64_t checkpointEvery = 0;
  std::string checkpointPath;
  int64_t evalBatch = 500;

  /// A hash of everything that decides the trajectory; a checkpoint from a
  /// run with other options is refused.
  uint64_t fingerprint() const;
};

struct EpochStats {
  int64_t epoch = 0, steps = 0;
  double trainLoss = 0, trainAccuracy = 0;
  double testLoss = 0, testAccuracy = 0;
  bool hasTest = false;
  double lr = 0, sparsity = 0;
  int64_t nonzeros = 0, parameters = 0, deadUnits = 0;
  double seconds = 0, examplesPerSecond = 0;
};

struct Progress {
  int64_t step = 0, totalSteps = 0;
  int64_t epoch = 0, epochs = 0, stepInEpoch = 0, stepsPerEpoch = 0;
  /// Running means over the epoch so far.
  double loss = 0, accuracy = 0;
  double sparsity = 0, lr = 0, examplesPerSecond = 0;
};

class TrainObserver {
public:
  virtual ~TrainObserver();
  /// After every step; returning false stops the run there (as an
  /// interruption would: nothing past the last checkpoint is saved).
  virtual bool onStep(const Progress &) { return true; }
  virtual void onEpoch(const EpochStats &, const std::vector<EpochStats> &) {}
  /// Something changed the network's structure or masks (pruning,
  /// regrowth, growth); `what` says what.
  virtual void onEvent(const std::string &) {}
};

/// Mean cross-entropy and accuracy of `g` on `data`.
Status evaluate(StepKernel &kernel, const Graph &g, const Dataset &data,
                int64_t batch, double &loss, double &accuracy);

/// Checks that examples of `data` fit the network's input and its labels
/// its outputs; the message names the data file.
Status checkData(const Graph &g, const Dataset &data);

class Trainer {
public:
  Trainer(Graph &g, StepKernel &kernel, const TrainOptions &options);
  ~Trainer();

  /// Restores the state saved in a checkpoint: weights, masks, shapes,
  /// optimiser state, gradient averages, step and history.
  Status resume(const std::string &path);
  /// Trains until `options.epochs` epochs are done (from the resumed step).
  /// `test` may be null.
  Status run(const Dataset &train, const Dataset *test,
             TrainObserver *observer);

  int64_t step() const { return step_; }
  /// Whether the last `run` was stopped by its observer.
  bool stopped() const { return stopped_; }
  const std::vector<EpochStats> &history() const { return history_; }
  Status saveCheckpoint(const std::string &path) const;

private:
  Status prepare(const Dataset &train);
  Status epochEnd(int64_t epoch, const Dataset *test, TrainObserver *obs);
  Status grow(const Dataset &train, TrainObserver *obs);

  Graph &g;
  StepKernel &kernel;
  TrainOptions opts;
  std::unique_ptr<Optimizer> optimizer;
  /// Running average of each parameter's gradient (Taylor criterion).
  Gradients gradAverage;
  int64_t step_ = 0;
  int64_t stepsPerEpoch = 0;
  std::vector<EpochStats> history_;
  /// Running sums of the current epoch.
  double epochLoss = 0, epochCorrect = 0;
  int64_t epochExamples = 0;
  double epochSeconds = 0;
  bool growthDone = false;
  bool stopped_ = false;
  /// The options' fingerprint as given (before `run` fills in defaults).
  uint64_t fingerprint_ = 0;
};

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_TRAINER_H
