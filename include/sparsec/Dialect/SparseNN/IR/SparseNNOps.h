//===- SparseNNOps.h - The snn dialect's operations -------------*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_IR_SPARSENNOPS_H
#define SPARSEC_DIALECT_SPARSENN_IR_SPARSENNOPS_H

#include "sparsec/Dialect/SparseNN/IR/SparseNNAttrs.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <array>
#include <string>

#define GET_OP_CLASSES
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h.inc"

namespace sparsec::snn {

/// Formats a shape as "1x6x28x28" (or "scalar" for rank 0), the way the
/// diagnostics and `sparsec stats` print shapes.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The result shape an snn op must have, computed from its operand types and
/// attributes. On failure, emits a diagnostic on the op when `diagnose` is set
/// (the verifiers use this) and stays silent otherwise (passes use this to
/// retype ops after changing their operands).
mlir::FailureOr<llvm::SmallVector<int64_t>>
inferResultShape(mlir::Operation *op, bool diagnose = false);

/// Output size of one spatial dimension of a convolution or pooling window,
/// with PyTorch's rounding (floor, or ceil where a window still starts inside
/// the input or left padding). Returns a value < 1 when the window does not
/// fit.
int64_t windowOutputSize(int64_t in, int64_t padBefore, int64_t padAfter,
                         int64_t kernel, int64_t stride, int64_t dilation,
                         bool ceilMode);

} // namespace sparsec::snn

#endif // SPARSEC_DIALECT_SPARSENN_IR_SPARSENNOPS_H
