//===- Import.h - snn networks to and from the training runtime -*- C++ -*-===//
//
// Part of sparsec. The runtime trains a runtime::Graph, which knows nothing of
// MLIR; these functions convert a verified network function into one and
// write the trained weights, masks and (after growth) shapes back into the
// same function, so that the module prints as a network `sparsec compile`
// takes as it is.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_TRAIN_IMPORT_H
#define SPARSEC_TRAIN_IMPORT_H

#include "sparsec/runtime/Graph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace sparsec::train {

/// Where a runtime parameter lives in the function.
struct Binding {
  /// The arith.constant holding the values.
  mlir::Operation *constant = nullptr;
  /// Its snn.mask and the mask's constant, if the weight has one.
  mlir::Operation *mask = nullptr;
  /// The op that reads the parameter, and which operand.
  mlir::Operation *user = nullptr;
  unsigned operand = 0;
};

struct ImportedNetwork {
  runtime::Graph graph;
  /// One per graph parameter.
  std::vector<Binding> bindings;
  /// The op of each graph node (null for the input).
  std::vector<mlir::Operation *> ops;
};

/// Converts a verified network (see `verifyNetwork`). Fails with a
/// diagnostic on the op for what the runtime cannot train: weights shared
/// between layers, or an op without a training rule.
mlir::FailureOr<ImportedNetwork> importNetwork(mlir::func::FuncOp fn);

/// Writes the graph's parameters (as dense_resource blobs), masks (adding
/// snn.mask ops where pruning created masks) and shapes back into the
/// function it was imported from.
mlir::LogicalResult exportNetwork(mlir::func::FuncOp fn,
                                  const ImportedNetwork &net);

} // namespace sparsec::train

#endif // SPARSEC_TRAIN_IMPORT_H
