//===- Network.h - Loading and checking snn networks ------------*- C++ -*-===//
//
// Part of sparsec. A network is a `func.func` with one f32 tensor input and
// one f32 tensor result whose body holds snn ops, `arith.constant` weights and
// masks, and `func.return`. These helpers are shared by every tool.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_NETWORK_NETWORK_H
#define SPARSEC_NETWORK_NETWORK_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace sparsec {

/// Registers every dialect a network file may use.
void registerNetworkDialects(mlir::DialectRegistry &registry);

/// Parses a network file's contents into a module, keeping the buffer in
/// `sourceMgr` so that diagnostics can quote it. Diagnostics go to the
/// context's handler; returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp>
parseNetwork(std::unique_ptr<llvm::MemoryBuffer> buffer,
             llvm::SourceMgr &sourceMgr, mlir::MLIRContext &ctx);

/// The network function: the one named `name`, or the module's only
/// `func.func` when `name` is empty.
mlir::FailureOr<mlir::func::FuncOp> findNetwork(mlir::ModuleOp module,
                                                llvm::StringRef name);

/// Checks what the tools rely on beyond the op verifiers: one static f32
/// input, one static f32 result, only supported ops, constant weights and
/// masks whose data is present and finite.
mlir::LogicalResult verifyNetwork(mlir::func::FuncOp fn);

/// The elements of a constant f32 tensor (`arith.constant` with an inline
/// `dense<...>` or a `dense_resource` blob), row-major.
mlir::FailureOr<std::vector<float>> readF32Constant(mlir::Value v);

/// The elements of a constant i1 tensor, one byte (0 or 1) each.
mlir::FailureOr<std::vector<uint8_t>> readMaskConstant(mlir::Value v);

/// A weight operand resolved to numbers: the values with the mask applied
/// (pruned elements are exactly zero) and the mask, if the weight had one.
struct Weight {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> values;
  std::optional<std::vector<uint8_t>> mask;

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  /// Elements that are not zero after masking.
  int64_t nonzeros() const;
};

/// Resolves a weight operand: a constant, or `snn.mask` of two constants.
/// Masked-off values are zero.
mlir::FailureOr<Weight> readWeight(mlir::Value v);

/// The same, but every value as stored, masked off or not (what passes that
/// change masks need).
mlir::FailureOr<Weight> readStoredWeight(mlir::Value v);

/// Bytes of physical memory on this machine (UINT64_MAX if unknown).
uint64_t physicalMemoryBytes();

/// Number of elements of a static shape.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

} // namespace sparsec

#endif // SPARSEC_NETWORK_NETWORK_H
