//===- StatsCommand.cpp - sparsec stats: size and cost per layer -*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Network/Stats.h"

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;

namespace {
cl::SubCommand sub("stats", "Print each layer's shapes, parameters, "
                            "nonzeros, sparsity and MACs");
NetworkOptions network(sub);
cl::opt<bool> json("json", cl::sub(sub),
                   cl::desc("Print JSON instead of a table"));

int run() {
  Session session;
  func::FuncOp fn = session.load(network.file, network.function);
  if (!fn)
    return 1;
  FailureOr<NetworkStats> stats = collectStats(fn);
  if (failed(stats))
    return 1;
  if (json)
    llvm::outs() << llvm::formatv("{0:2}", statsToJson(*stats)) << "\n";
  else
    printStatsTable(*stats, llvm::outs());
  return 0;
}
} // namespace

Command driver::statsCommand() { return {sub, run}; }
