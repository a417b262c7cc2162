//===- sparsec-fuzz.cpp - libFuzzer target: bytes through the compiler ----===//
//
// Part of sparsec. Built only with -DSPARSEC_FUZZ=ON and clang-19 (see
// .ci/fuzz.sh): every sparsec library is then instrumented for coverage,
// AddressSanitizer and UndefinedBehaviorSanitizer.
//
// Each input is a network file. It goes through what `sparsec compile` does
// before writing anything: parse, pick the network, verify, the optimisation
// pipeline, the statistics, the planning for AVX2, and the lowering of the
// whole network to a Halide module (without generating code or writing
// files). Diagnostics are expected and discarded; a crash, a sanitizer report
// or a timeout is a bug.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Conversion/SNNToHalide/Compile.h"
#include "sparsec/Conversion/SNNToHalide/TargetSpec.h"
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"
#include "sparsec/Network/Stats.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mlir;
using namespace sparsec;

namespace {
/// Networks larger than this are verified and optimised but not lowered:
/// lowering them is correct but slow, and the fuzzer needs many runs a
/// second.
constexpr int64_t kMaxLoweredMacs = 2'000'000;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    registerNetworkDialects(*r);
    return r;
  }();
  MLIRContext ctx(*registry);
  ctx.loadAllAvailableDialects();
  ctx.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });

  llvm::SourceMgr sourceMgr;
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.mlir");
  OwningOpRef<ModuleOp> module =
      parseNetwork(std::move(buffer), sourceMgr, ctx);
  if (!module)
    return 0;
  FailureOr<func::FuncOp> fn = findNetwork(*module, "");
  if (failed(fn) || failed(verifyNetwork(*fn)))
    return 0;

  PassManager pm(&ctx, func::FuncOp::getOperationName());
  pm.addPass(snn::createSNNFoldBatchNormPass());
  pm.addPass(snn::createSNNEliminateDeadPass());
  pm.addPass(snn::createSNNMergeLinearPass());
  pm.addPass(snn::createSNNLowRankPass());
  pm.addPass(snn::createSNNSelectFormatPass());
  if (failed(pm.run(*fn)) || failed(verifyNetwork(*fn)))
    return 0;

  FailureOr<NetworkStats> stats = collectStats(*fn);
  if (failed(stats) || stats->total.denseMacs > kMaxLoweredMacs)
    return 0;
  std::string error;
  FailureOr<halide::TargetSpec> spec =
      halide::resolveTarget("x86-64-avx2", 1, error);
  if (failed(spec) || failed(halide::prepareNetwork(*fn, *spec)))
    return 0;
  // No output paths: lower to a Halide module, write nothing.
  (void)halide::compileNetwork(*fn, *spec, halide::CompileOutputs());
  return 0;
}
