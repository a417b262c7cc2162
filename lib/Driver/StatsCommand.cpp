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
cl::opt<std::string>
    compare("compare", cl::sub(sub), cl::value_desc("before.mlir"),
            cl::desc("Also read this earlier version of the network and "
                     "print both tables and the change in parameters, "
                     "nonzeros and MACs"));

int run() {
  Session session;
  func::FuncOp fn = session.load(network.file, network.function);
  if (!fn)
    return 1;
  FailureOr<NetworkStats> stats = collectStats(fn);
  if (failed(stats))
    return 1;
  if (!compare.empty()) {
    if (json) {
      error("stats") << "--compare prints tables; it does not go with "
                        "--json\n";
      return 1;
    }
    Session earlier;
    func::FuncOp before = earlier.load(compare, network.function);
    if (!before)
      return 1;
    FailureOr<NetworkStats> beforeStats = collectStats(before);
    if (failed(beforeStats))
      return 1;
    printStatsComparison(*beforeStats, *stats, llvm::outs());
    return 0;
  }
  if (json)
    llvm::outs() << llvm::formatv("{0:2}", statsToJson(*stats)) << "\n";
  else
    printStatsTable(*stats, llvm::outs());
  return 0;
}
} // namespace

Command driver::statsCommand() { return {sub, run}; }
