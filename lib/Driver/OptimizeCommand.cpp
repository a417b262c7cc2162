//===- OptimizeCommand.cpp - sparsec optimize: the structure pipeline ----===//
//
// Part of sparsec. The passes that make a pruned network smaller without
// changing what it computes, in the order in which each leaves work for the
// next: batch norms fold into their layers (which can make units constant),
// dead units go, affine layers merge, dense layers factor when that pays,
// and every layer gets its kernel format.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"

#include <fmt/format.h>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;

namespace {
cl::SubCommand sub("optimize", "Fold batch norms, remove dead units, merge "
                               "and factor layers, choose kernel formats");
NetworkOptions network(sub);
OutputOption output(sub, "The optimised network (written "
                         "atomically)");
cl::opt<double>
    energy("energy", cl::sub(sub), cl::init(1.0), cl::value_desc("e"),
           cl::desc("snn-low-rank keeps this fraction of each dense weight's "
                    "squared singular values, in (0, 1]; below 1 the "
                    "function changes (default 1: exact)"));
cl::opt<int64_t> batch("batch", cl::sub(sub), cl::init(0), cl::value_desc("N"),
                       cl::desc("Also re-specialise the network to batch N"));

int run() {
  if (!(energy > 0.0 && energy <= 1.0)) {
    error("optimize") << "--energy must be in (0, 1], but is "
                      << fmt::format("{}", energy.getValue()) << "\n";
    return 1;
  }
  if (batch < 0) {
    error("optimize") << "--batch must be positive, but is " << batch << "\n";
    return 1;
  }
  Session session;
  func::FuncOp fn = session.load(network.file, network.function);
  if (!fn)
    return 1;
  return rewriteNetwork("optimize", fn, output.file, [&](OpPassManager &pm) {
    if (batch > 0)
      pm.addPass(snn::createSNNSetBatchPass({batch}));
    pm.addPass(snn::createSNNFoldBatchNormPass());
    pm.addPass(snn::createSNNEliminateDeadPass());
    pm.addPass(snn::createSNNMergeLinearPass());
    snn::SNNLowRankPassOptions lowRank;
    lowRank.energy = energy;
    pm.addPass(snn::createSNNLowRankPass(lowRank));
    pm.addPass(snn::createSNNSelectFormatPass());
  });
}
} // namespace

Command driver::optimizeCommand() { return {sub, run}; }
