//===- Prune.h - Pruning during training ------------------------*- C++ -*-===//
//
// Part of sparsec's runtime. Masks on the weights of dense and conv2d layers
// (the runtime's Graph, no MLIR), chosen by a criterion at a granularity,
// with the schedules that decide when and how much: one-shot, iterative,
// and Zhu & Gupta's gradual cubic schedule; plus RigL-style drop-and-regrow.
//
// A weight is viewed as a matrix [rows, rowSize]: rows are output units
// (neurons, filters), a row holds one unit's inputs in row-major order
// (input channel, then kernel position). N:M groups run along a row (the
// reduction dimension), blocks tile the matrix, channels are whole rows.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_PRUNE_H
#define SPARSEC_RUNTIME_PRUNE_H

#include "sparsec/runtime/Graph.h"
#include "sparsec/runtime/Step.h"

#include <string>
#include <vector>

namespace sparsec::runtime {

enum class Granularity { Unstructured, NM, Block, Channel };
enum class Criterion { Magnitude, Taylor };

struct PruneSpec {
  Granularity granularity = Granularity::Unstructured;
  Criterion criterion = Criterion::Magnitude;
  /// N:M keeps N of every M consecutive weights along a row.
  int64_t n = 2, m = 4;
  /// Block rows and columns.
  int64_t blockRows = 1, blockCols = 1;
  /// One threshold over all layers (unstructured only) instead of the same
  /// sparsity in every layer.
  bool global = false;
};

/// Parses "unstructured", "N:M" (e.g. "2:4"), "block:RxC" (e.g. "block:4x1"),
/// "channel"; on failure returns false and says why in `error`.
bool parseGranularity(const std::string &s, PruneSpec &spec,
                      std::string &error);

/// The fraction of weights an N:M spec removes.
double nmSparsity(const PruneSpec &spec);

/// Element scores: |w| (magnitude) or |w * g| (Taylor, first order; `g` is a
/// running average of the gradient). Masked-out elements score -1, so they
/// stay pruned: masks only shrink here.
std::vector<float> scores(const Param &w, const std::vector<float> *grad,
                          Criterion criterion);

/// Masks the parameters `params` (weights of g) so that each has at least
/// `sparsity` of its elements removed, in units of the granularity (for
/// N:M, `sparsity` is capped at 1 - N/M and reaches it exactly there).
/// `taylor[p]` holds the averaged gradient of parameter p when the criterion
/// is Taylor. Masked values become zero. Returns the number of elements
/// newly masked.
int64_t pruneTo(Graph &g, const std::vector<int> &params, double sparsity,
                const PruneSpec &spec, const Gradients *taylor);

enum class PruneScheduleKind { None, OneShot, Iterative, Gradual };
bool parsePruneSchedule(const std::string &s, PruneScheduleKind &out);

/// When to prune and to what sparsity, as a pure function of the step.
/// One-shot prunes at `begin` to `final`. Iterative prunes `count` times,
/// every `frequency` steps from `begin`, in equal increments from `initial`
/// to `final`. Gradual follows Zhu & Gupta (2017):
///   s_t = s_f + (s_i - s_f) (1 - (t - t0) / (n dt))^3
/// at t = t0, t0 + dt, ..., t0 + n dt.
struct PruneSchedule {
  PruneScheduleKind kind = PruneScheduleKind::None;
  double initial = 0.0, final = 0.0;
  int64_t begin = 0, frequency = 1, count = 1;

  bool prunesAt(int64_t step) const;
  double sparsityAt(int64_t step) const;
  /// The last step at which it prunes.
  int64_t end() const;
};

/// RigL (Evci et al. 2020): every `every` steps before `end`, each layer
/// drops the fraction f_t = alpha (1 + cos(pi t / end)) / 2 of its active
/// weights with the smallest magnitude and grows as many inactive ones
/// (excluding those just dropped) with the largest gradient magnitude.
/// Grown weights start at zero with a clean optimiser state.
struct RigLOptions {
  int64_t every = 0;
  int64_t end = 0;
  double alpha = 0.3;

  bool activeAt(int64_t step) const {
    return every > 0 && step > 0 && step < end && step % every == 0;
  }
};

class Optimizer;

/// One RigL update of the masks of `params` with dense gradients `grads`.
/// Returns the number of connections moved.
int64_t rigLUpdate(Graph &g, const std::vector<int> &params,
                   const Gradients &grads, double fraction,
                   Optimizer *optimizer);

/// Grows `count` hidden units in dense layer `node`: new rows of its weight
/// (drawn uniform in +-1/sqrt(fan_in), masked to the layer's density) and
/// bias, and zero columns in the weights of the dense layers that read it
/// (through element-wise ops and dropout only), so the network computes the
/// same function until training moves them. Fails if a reader is not a
/// dense layer. `perParam` lists other per-parameter arrays (optimiser
/// slots, gradient averages) to grow alike, with zeros; empty ones stay
/// empty.
Status growUnits(Graph &g, int node, int64_t count, uint64_t seed,
                 const std::vector<std::vector<std::vector<float>> *>
                     &perParam = {});

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_PRUNE_H
