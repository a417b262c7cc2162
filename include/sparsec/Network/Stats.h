//===- Stats.h - Per-layer size and cost of a network -----------*- C++ -*-===//
//
// Part of sparsec. What `sparsec stats` prints: for every layer its shapes,
// parameters, surviving nonzeros and multiply-accumulates before and after
// pruning.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_NETWORK_STATS_H
#define SPARSEC_NETWORK_STATS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace sparsec {

struct LayerStats {
  std::string op;     ///< op name without the dialect prefix, e.g. "conv2d"
  std::string input;  ///< formatted shape of the first operand
  std::string output; ///< formatted result shape
  int64_t params = 0;    ///< weight and bias elements
  int64_t nonzeros = 0;  ///< of those, the ones not pruned or zero
  int64_t denseMacs = 0; ///< multiply-accumulates with every weight present
  int64_t macs = 0;      ///< multiply-accumulates left after pruning
  bool hasWeights = false;
};

struct NetworkStats {
  std::string name;
  std::vector<LayerStats> layers;
  LayerStats total;
};

/// The network's layers in the order `sparsec stats` numbers them: every snn
/// op but `snn.mask`.
llvm::SmallVector<mlir::Operation *> statsLayers(mlir::func::FuncOp fn);

/// Collects the statistics of a verified network.
mlir::FailureOr<NetworkStats> collectStats(mlir::func::FuncOp fn);

/// The human-readable table `sparsec stats` prints.
void printStatsTable(const NetworkStats &stats, llvm::raw_ostream &os);

/// Both tables, then the totals side by side with their ratio (after /
/// before): what a pass or `sparsec optimize` changed.
void printStatsComparison(const NetworkStats &before, const NetworkStats &after,
                          llvm::raw_ostream &os);

/// The same numbers as JSON, for scripts.
llvm::json::Value statsToJson(const NetworkStats &stats);

} // namespace sparsec

#endif // SPARSEC_NETWORK_STATS_H
