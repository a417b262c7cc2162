//===- Lowering.h - snn networks to one Halide pipeline ---------*- C++ -*-===//
//
// Part of sparsec. Private to lib/Conversion/SNNToHalide.
//
// A tensor of row-major shape [d0, ..., dk] is a Halide Func f(xk, ..., x0):
// Halide lists dimensions innermost first. Every op becomes named Funcs;
// element-wise ops stay inline so that they fuse into whatever reads them,
// and the inputs and outputs of heavy ops (dense, conv, pooling, softmax) are
// materialised with their own schedules.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_LIB_CONVERSION_SNNTOHALIDE_LOWERING_H
#define SPARSEC_LIB_CONVERSION_SNNTOHALIDE_LOWERING_H

#include "sparsec/Conversion/SNNToHalide/Plan.h"
#include "sparsec/Conversion/SNNToHalide/TargetSpec.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <Halide.h>

#include <array>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace sparsec::halide {

/// Elements below which a copy, pool or other memory-bound stage runs on one
/// thread: with Halide's pool a parallel loop cost ~0.1 ms to wake its
/// workers and join them (2-core VM), more than such a stage of 256 k floats
/// takes; with sparsec's spinning pool, 32 k floats measured no better.
inline constexpr int64_t kParallelElements = int64_t(1) << 18;

struct Geometry;

/// A value of the network during lowering.
struct Tensor {
  llvm::SmallVector<int64_t, 4> shape;
  /// Indexed innermost first (see the file comment).
  Halide::Func func;
  /// Reading it costs a load: it is computed at the root, or is a view of
  /// such a Func.
  bool stored = false;
  /// When the tensor is stored densely in row-major order: its elements by
  /// (index within one batch item, batch item), with affine addressing.
  std::optional<Halide::Func> flat;
  /// When it is the output of a kernel whose storage order is the tensor's
  /// row-major order: that Func and its extents, innermost first. Such a Func
  /// can write straight into the caller's output buffer.
  std::optional<Halide::Func> natural;
  std::vector<int> naturalExtents;
  /// When the tensor is a (batch, features) matrix held feature by feature
  /// (a dense layer's `rows` kernel stores its batch lanes contiguously):
  /// batchInner(n, i) == func(i, n), whose reads are contiguous in n.
  std::optional<Halide::Func> batchInner;

  int rank() const { return static_cast<int>(shape.size()); }
  /// f(idx) where idx is given row-major, outermost first.
  Halide::Expr at(llvm::ArrayRef<Halide::Expr> rowMajor) const;
};

/// Halide Vars for a Func of `rank` dimensions, innermost first.
std::vector<Halide::Var> makeVars(int rank);

/// The innermost-first argument list for a row-major index.
std::vector<Halide::Expr> innermostFirst(llvm::ArrayRef<Halide::Expr> rowMajor);

class NetworkLowering {
public:
  NetworkLowering(mlir::func::FuncOp fn, const TargetSpec &target);

  /// Builds and schedules the pipeline. Emits diagnostics on the offending op
  /// on failure; Halide exceptions propagate to the caller.
  mlir::LogicalResult build();

  Halide::ImageParam &input() { return inputParam; }
  Halide::Func &output() { return outputFunc; }
  const TargetSpec &target() const { return spec; }
  /// The row-major shapes the pipeline's input and output buffers have: the
  /// same memory as the network's tensors, described as the kernels like to
  /// read and write it (the input flattened per batch item, the output in
  /// its producer's storage order).
  llvm::ArrayRef<int64_t> inputView() const { return inputViewShape; }
  llvm::ArrayRef<int64_t> outputView() const { return outputViewShape; }

private:
  mlir::LogicalResult lowerOp(mlir::Operation &op, unsigned index);
  mlir::LogicalResult finishOutput(Tensor &result, mlir::Value value);
  mlir::FailureOr<Tensor> lowerDense(mlir::Operation *op, const LayerPlan &plan,
                                     const std::string &name);
  mlir::FailureOr<Tensor> lowerConv(mlir::Operation *op, const LayerPlan &plan,
                                    const std::string &name);
  mlir::FailureOr<Tensor> lowerDepthwise(mlir::Operation *op,
                                         const LayerPlan &plan,
                                         const std::string &name);
  Halide::Func paddedInput(const Tensor &x, const Geometry &g,
                           const std::string &name,
                           std::array<int64_t, 4> pad);
  mlir::FailureOr<Tensor> lowerPool(mlir::Operation *op,
                                    const std::string &name);
  Tensor lowerSoftmax(const Tensor &x, const std::string &name);
  Tensor lowerGlobalAvgPool(const Tensor &x, const std::string &name);
  mlir::FailureOr<Tensor> lowerBatchNorm(mlir::Operation *op,
                                         const std::string &name);
  mlir::FailureOr<Tensor> constantTensor(mlir::Value v,
                                         const std::string &name);

  /// The element-wise ops that follow `op` with nothing else reading the
  /// values between them; they are applied in `op`'s kernel epilogue.
  llvm::SmallVector<mlir::Operation *> epilogueChain(mlir::Operation *op);
  /// Applies such a chain to `value`, the output at channel `channel`.
  mlir::FailureOr<std::function<Halide::Expr(Halide::Expr, Halide::Expr)>>
  epilogue(llvm::ArrayRef<mlir::Operation *> chain, const std::string &name);
  /// Per-channel y = x * a + b of an inference batchnorm.
  mlir::LogicalResult batchNormCoefficients(mlir::Operation *op,
                                            const std::string &name,
                                            Halide::Buffer<float> &a,
                                            Halide::Buffer<float> &b);

  /// Computes a Func at the root with a vectorised innermost dimension.
  void materialize(Tensor &t);
  /// The Func of a value, materialised first if it is read more than once
  /// or by a kernel that re-reads it.
  Tensor &operand(mlir::Value v);

  mlir::func::FuncOp fn;
  TargetSpec spec;
  Halide::ImageParam inputParam;
  Halide::Func outputFunc;
  llvm::DenseMap<mlir::Value, Tensor> values;
  llvm::DenseSet<mlir::Value> materialized;
  /// Element-wise ops already applied in a kernel's epilogue.
  llvm::DenseSet<mlir::Operation *> fused;
  llvm::SmallVector<int64_t> inputViewShape, outputViewShape;
};

/// The name of a layer for Funcs and buffers: its MLIR name location if it
/// has one ("conv1"), otherwise "l<index>_<op>".
std::string layerName(mlir::Operation *op, unsigned index);

} // namespace sparsec::halide

#endif // SPARSEC_LIB_CONVERSION_SNNTOHALIDE_LOWERING_H
