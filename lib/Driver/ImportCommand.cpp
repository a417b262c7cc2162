//===- ImportCommand.cpp - sparsec import: ONNX to net.mlir -----*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Import/Onnx.h"
#include "sparsec/Network/Stats.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;

namespace {
cl::SubCommand sub("import",
                   "Import an ONNX model (e.g. a pruned PyTorch model from "
                   "torch.onnx.export) as an snn network");
cl::opt<std::string> model(cl::Positional, cl::Required, cl::sub(sub),
                           cl::desc("<model.onnx>"));
OutputOption output(sub, "Where to write the network");
cl::opt<std::string>
    function("function", cl::sub(sub), cl::value_desc("name"),
             cl::desc("The network function's name (default: the output "
                      "file's name, made a C identifier)"));
cl::opt<int64_t> batch("batch", cl::sub(sub), cl::init(1),
                       cl::desc("The batch size, when the model's first "
                                "input dimension is symbolic"));

/// "net" for "out/net.mlir"; characters a C identifier cannot hold become
/// '_', and a leading digit gets "net_" before it.
std::string defaultFunction(StringRef path) {
  std::string name = llvm::sys::path::stem(path).str();
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '_')
      c = '_';
  if (name.empty() || llvm::isDigit(name.front()))
    name = "net_" + name;
  return name;
}

int run() {
  if (batch < 1) {
    error("import") << "--batch must be at least 1, not " << batch << "\n";
    return 1;
  }
  import::OnnxOptions options;
  options.function = function.empty() ? defaultFunction(output.file)
                                      : function.getValue();
  options.batch = batch;
  Session session;
  import::OnnxSummary summary;
  llvm::Expected<OwningOpRef<ModuleOp>> module =
      import::importOnnx(model, session.context(), options, summary);
  if (!module) {
    error("import") << llvm::toString(module.takeError()) << "\n";
    return 1;
  }
  auto fn = cast<func::FuncOp>((**module).getBody()->front());
  FailureOr<NetworkStats> stats = collectStats(fn);
  if (failed(stats))
    return 1;
  // A temporary file next to the output, renamed over it when complete.
  llvm::Error err = llvm::writeToOutput(output.file, [&](raw_ostream &os) {
    (**module).print(os);
    return llvm::Error::success();
  });
  if (err) {
    error("import") << "cannot write '" << output.file
                    << "': " << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  const LayerStats &t = stats->total;
  llvm::outs() << fmt::format(
      "wrote {}: @{} from {} ONNX nodes (opset {}), {} snn ops, {} masked "
      "weights, params {}, nonzeros {}\n",
      output.file.getValue(), options.function, summary.nodes, summary.opset,
      summary.ops, summary.maskedWeights, t.params, t.nonzeros);
  return 0;
}
} // namespace

Command driver::importCommand() { return {sub, run}; }
