//===- TargetSpec.h - The machines sparsec generates code for ---*- C++ -*-===//
//
// Part of sparsec. What the planner needs to know about a target (vector
// width, register count) without touching Halide, plus the Halide target
// string the lowering compiles for.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_CONVERSION_SNNTOHALIDE_TARGETSPEC_H
#define SPARSEC_CONVERSION_SNNTOHALIDE_TARGETSPEC_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace sparsec::halide {

struct TargetSpec {
  /// The name users give: x86-64-avx2, x86-64-avx512, arm64-neon.
  std::string name;
  /// The Halide target string, e.g. "x86-64-linux-avx-avx2-f16c-fma-sse41".
  std::string halideTarget;
  /// f32 lanes per vector register.
  int vectorWidth = 8;
  /// Vector registers the kernels may use for accumulators and operands.
  int vectorRegisters = 16;
  /// Threads the generated code may use (1: no parallel loops at all).
  int threads = 1;
  /// Instrument the code with Halide's sampling profiler, which prints the
  /// time spent in each Func when the program exits.
  bool profile = false;
  bool isArm() const { return name.rfind("arm64", 0) == 0; }
};

/// The target names `sparsec compile --target` accepts.
llvm::StringRef targetNames();

/// Resolves a target name ("host" means the machine sparsec runs on). Fails
/// with `error` set for an unknown name.
mlir::FailureOr<TargetSpec> resolveTarget(llvm::StringRef name, int threads,
                                          std::string &error);

} // namespace sparsec::halide

#endif // SPARSEC_CONVERSION_SNNTOHALIDE_TARGETSPEC_H
