//===- Compile.h - Compile a network to an object file and header -*- C++ -*-===//
//
// Part of sparsec. The whole network becomes one Halide pipeline, specialised
// to its shapes and weights, compiled for one target into a self-contained
// object (Halide runtime included) with a C header.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_CONVERSION_SNNTOHALIDE_COMPILE_H
#define SPARSEC_CONVERSION_SNNTOHALIDE_COMPILE_H

#include "sparsec/Conversion/SNNToHalide/TargetSpec.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace sparsec::halide {

/// The files to write; an empty path means "do not emit". All of them are
/// written atomically, and none is written unless all succeed.
struct CompileOutputs {
  std::string object;
  std::string header;
  std::string assembly;
  std::string stmt;
  /// Recorded in the header's banner.
  std::string sourceName;
};

/// Chooses formats and schedules (as attributes on the IR) for `target`.
mlir::LogicalResult prepareNetwork(mlir::func::FuncOp fn,
                                   const TargetSpec &target);

/// Lowers a prepared network to Halide and writes the outputs. Halide's
/// errors become diagnostics on the network.
mlir::LogicalResult compileNetwork(mlir::func::FuncOp fn,
                                   const TargetSpec &target,
                                   const CompileOutputs &outputs);

/// The C header declaring a compiled network's entry points.
std::string networkHeader(mlir::func::FuncOp fn, const TargetSpec &target,
                          llvm::StringRef sourceName);

} // namespace sparsec::halide

#endif // SPARSEC_CONVERSION_SNNTOHALIDE_COMPILE_H
