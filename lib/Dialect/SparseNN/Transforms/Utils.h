//===- Utils.h - Reading and rebuilding weights in passes -------*- C++ -*-===//
//
// Part of sparsec. Private to lib/Dialect/SparseNN/Transforms: the passes
// read weights as numbers, compute new ones and put them back as constants.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_LIB_DIALECT_SPARSENN_TRANSFORMS_UTILS_H
#define SPARSEC_LIB_DIALECT_SPARSENN_TRANSFORMS_UTILS_H

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <optional>
#include <vector>

namespace sparsec::snn {

/// dense and conv2d: the layers whose weight rows are output units. Both take
/// (input, weight[, bias]).
inline bool isAffineLayer(mlir::Operation *op) {
  return mlir::isa<DenseOp, Conv2DOp>(op);
}
inline mlir::Value layerInput(mlir::Operation *op) {
  return op->getOperand(0);
}
inline mlir::Value layerWeight(mlir::Operation *op) {
  return op->getOperand(1);
}
inline mlir::Value layerBias(mlir::Operation *op) {
  return op->getNumOperands() > 2 ? op->getOperand(2) : mlir::Value();
}

/// A weight as stored: the raw values (pruned ones keep theirs) and the mask,
/// if it has one. Rows are the first dimension, the row the rest, flattened.
struct RawWeight {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> values;
  std::optional<std::vector<uint8_t>> mask;

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  int64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  int64_t rowLength() const { return rows() ? size() / rows() : 0; }
  bool live(int64_t i) const { return !mask || (*mask)[i]; }
  float effective(int64_t i) const { return live(i) ? values[i] : 0.0f; }
  std::vector<float> effectiveValues() const;
  int64_t nonzeros() const;
};

/// Reads a constant or an `snn.mask` of constants.
mlir::FailureOr<RawWeight> readRawWeight(mlir::Value v);

/// A layer's bias, or `n` zeros when it has none.
mlir::FailureOr<std::vector<float>> readBiasOrZeros(mlir::Value bias,
                                                    int64_t n);

/// New constants. Small tensors are inline `dense<...>` literals (readable in
/// tests); large ones are `dense_resource` blobs, as networks store them.
mlir::Value buildF32Constant(mlir::OpBuilder &b, mlir::Location loc,
                             llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<float> values);
mlir::Value buildMaskConstant(mlir::OpBuilder &b, mlir::Location loc,
                              llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<uint8_t> mask);
/// A weight operand: the constant, wrapped in `snn.mask` if the mask prunes
/// anything.
mlir::Value buildWeight(mlir::OpBuilder &b, mlir::Location loc,
                        const RawWeight &w);

/// Sets the op's result type to the shape its operands imply; fails (without
/// a diagnostic) if they imply none.
mlir::LogicalResult retypeResult(mlir::Operation *op);

/// Sets the function's type to its argument and returned value's types.
void updateFunctionType(mlir::func::FuncOp fn);

/// Erases constants and masks nothing uses any more.
void eraseUnusedWeights(mlir::func::FuncOp fn);

/// Applies `patterns` to the function's ops of the types `OpTys` (and to
/// those again when they change) until nothing matches. Unlike a greedy
/// rewrite of the whole function this leaves the weight constants where they
/// are: no hoisting, no merging of equal constants.
template <typename... OpTys>
mlir::LogicalResult applyToOps(mlir::func::FuncOp fn,
                               mlir::RewritePatternSet &&patterns) {
  llvm::SmallVector<mlir::Operation *> ops;
  fn.walk([&](mlir::Operation *op) {
    if (mlir::isa<OpTys...>(op))
      ops.push_back(op);
  });
  mlir::GreedyRewriteConfig config;
  config.strictMode = mlir::GreedyRewriteStrictness::ExistingOps;
  return mlir::applyOpPatternsAndFold(ops, std::move(patterns), config);
}

} // namespace sparsec::snn

#endif // SPARSEC_LIB_DIALECT_SPARSENN_TRANSFORMS_UTILS_H
