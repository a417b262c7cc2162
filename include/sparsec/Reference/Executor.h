//===- Executor.h - The reference executor ----------------------*- C++ -*-===//
//
// Part of sparsec. Runs a network with plain, obviously correct loops. It is
// the oracle that compiled code, passes and imports are checked against, so
// it favours clarity over speed and accumulates in double precision.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_REFERENCE_EXECUTOR_H
#define SPARSEC_REFERENCE_EXECUTOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <vector>

namespace sparsec::ref {

/// A dense row-major f32 tensor.
struct Tensor {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(llvm::ArrayRef<int64_t> shape);
  Tensor(llvm::ArrayRef<int64_t> shape, std::vector<float> data);

  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t dim(unsigned i) const { return shape[i]; }
};

/// Evaluates a verified network function (see `verifyNetwork`).
class Executor {
public:
  explicit Executor(mlir::func::FuncOp fn) : fn(fn) {}

  /// Runs the network on `input`, whose shape must be the function's input
  /// shape. Emits a diagnostic and fails on anything it cannot evaluate.
  mlir::FailureOr<Tensor> run(const Tensor &input);

  /// The value each SSA value took in the last `run`.
  const Tensor *lookup(mlir::Value v) const;

  /// Gradients of a scalar loss L through the last `run`, given `seed` =
  /// dL/d`from` (`from` is usually the function's result; a later value is
  /// ignored). Returns dL/dv for every value v that `from` depends on: the
  /// input, every activation, every weight, bias and batchnorm parameter, and
  /// the stored weight behind each `snn.mask` (zero where the mask prunes, as
  /// the pruned weight has no effect). Max pooling sends the gradient to the
  /// window's first maximum and relu's derivative at 0 is 0, as in PyTorch.
  mlir::FailureOr<llvm::DenseMap<mlir::Value, Tensor>>
  backward(mlir::Value from, const Tensor &seed);

private:
  mlir::LogicalResult evaluate(mlir::Operation &op);

  mlir::func::FuncOp fn;
  llvm::DenseMap<mlir::Value, Tensor> values;
};

/// Softmax cross-entropy of N x F `logits` against one target class per row,
/// averaged over the rows, computed in double. `grad` receives dL/dlogits
/// (softmax(logits) - onehot(target), over N).
double softmaxCrossEntropy(const Tensor &logits,
                           llvm::ArrayRef<int64_t> targets, Tensor &grad);

/// The index of each row's largest element (the first, on ties).
std::vector<int64_t> argmaxRows(const Tensor &t);

/// Largest |a[i] - b[i]| / max(|b[i]|, 1e-2 * max|b|) over all elements: the
/// relative error against reference `b`, with a floor so that outputs that
/// cancel to nearly zero are judged against the tensor's scale (a float32 sum
/// of many terms that cancels keeps an absolute error of a few ulps of its
/// terms, not of its result). Every
/// comparison against this executor uses it. NaN anywhere gives infinity
/// unless both sides are NaN at the same place.
double maxRelativeError(llvm::ArrayRef<float> a, llvm::ArrayRef<float> b);

} // namespace sparsec::ref

#endif // SPARSEC_REFERENCE_EXECUTOR_H
