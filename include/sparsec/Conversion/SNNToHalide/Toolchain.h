//===- Toolchain.h - Checks that Halide works next to MLIR ------*- C++ -*-===//
//
// Part of sparsec. `sparsec doctor` runs these checks: a tiny Halide pipeline
// is JIT-compiled and run inside the process that also holds MLIR's LLVM, and
// compiled ahead of time for every target sparsec emits.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_CONVERSION_SNNTOHALIDE_TOOLCHAIN_H
#define SPARSEC_CONVERSION_SNNTOHALIDE_TOOLCHAIN_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

namespace sparsec::halide {

/// The Halide target string of the machine sparsec runs on.
std::string hostTarget();

/// Runs the checks, printing one line per check to `os`. Fails if any check
/// fails; never throws.
mlir::LogicalResult checkToolchain(llvm::raw_ostream &os);

} // namespace sparsec::halide

#endif // SPARSEC_CONVERSION_SNNTOHALIDE_TOOLCHAIN_H
