//===- PruneCommand.cpp - sparsec prune: one-shot pruning -------*- C++ -*-===//
//
// Part of sparsec. Runs `snn-prune` with the command's options and writes the
// pruned network. The options are checked before anything runs, so that a
// bad value is one clear error and no file is written.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Dialect/SparseNN/Transforms/PruneOptions.h"

#include "llvm/Support/FileSystem.h"

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;

namespace {
cl::SubCommand sub("prune", "Prune a network's weights (adds or tightens "
                            "masks) and write the pruned network");
NetworkOptions network(sub);
OutputOption output(sub, "The pruned network (written atomically)");
cl::opt<double> sparsity("sparsity", cl::sub(sub), cl::init(0.5),
                         cl::value_desc("s"),
                         cl::desc("Fraction of the weights pruned afterwards, "
                                  "in [0, 1) (not used by N:M)"));
cl::opt<std::string>
    granularity("granularity", cl::sub(sub), cl::init("unstructured"),
                cl::value_desc("g"),
                cl::desc("unstructured, channel (whole filters / neurons), "
                         "N:M (e.g. 2:4, 4:8) or RxC blocks (e.g. 4x1, 1x4)"));
cl::opt<std::string>
    criterion("criterion", cl::sub(sub), cl::init("magnitude"),
              cl::value_desc("c"),
              cl::desc("magnitude, l1, l2 (norm of each group) or taylor "
                       "(|w dL/dw| on --calibration data)"));
cl::opt<std::string> scope("scope", cl::sub(sub), cl::init("layer"),
                           cl::value_desc("layer|global"),
                           cl::desc("Each layer to the sparsity, or one "
                                    "threshold across all layers"));
cl::list<std::string>
    exclude("exclude", cl::sub(sub), cl::CommaSeparated,
            cl::value_desc("layers"),
            cl::desc("Layers left dense: indices as `sparsec stats` prints "
                     "them, first, last"));
cl::opt<std::string>
    calibration("calibration", cl::sub(sub), cl::value_desc("file"),
                cl::desc("Raw f32 inputs (one or more copies of the input "
                         "tensor) for the taylor criterion"));
cl::opt<std::string>
    labels("labels", cl::sub(sub), cl::value_desc("file"),
           cl::desc("Raw int32 class labels, one per calibration batch row "
                    "(default: the network's own predictions)"));

int run() {
  llvm::Expected<snn::PruneSettings> settings = snn::parsePruneSettings(
      sparsity, granularity, criterion, scope, calibration, labels);
  if (!settings) {
    error("prune") << llvm::toString(settings.takeError()) << "\n";
    return 1;
  }
  for (const std::string &path : {calibration.getValue(), labels.getValue()})
    if (!path.empty() && !llvm::sys::fs::is_regular_file(path)) {
      error("prune") << "cannot read '" << path << "': no such file\n";
      return 1;
    }
  Session session;
  func::FuncOp fn = session.load(network.file, network.function);
  if (!fn)
    return 1;
  std::vector<std::string> excluded(exclude.begin(), exclude.end());
  snn::SNNPrunePassOptions options;
  options.sparsity = sparsity;
  options.granularity = granularity;
  options.criterion = criterion;
  options.scope = scope;
  options.exclude = excluded;
  options.calibration = calibration;
  options.labels = labels;
  return rewriteNetwork("prune", fn, output.file, [&](OpPassManager &pm) {
    pm.addPass(snn::createSNNPrunePass(options));
  });
}
} // namespace

Command driver::pruneCommand() { return {sub, run}; }
