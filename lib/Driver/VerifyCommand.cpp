//===- VerifyCommand.cpp - sparsec verify: check a network file -*- C++ -*-===//
//
// Part of sparsec. Parses the file, runs every op verifier and the network
// checks the other commands rely on, and says what it found.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;

namespace {
cl::SubCommand sub("verify", "Check that a file is a well-formed network");
NetworkOptions network(sub);

int run() {
  Session session;
  func::FuncOp fn = session.load(network.file, network.function);
  if (!fn)
    return 1;
  int64_t layers = 0, masks = 0;
  fn.walk([&](Operation *op) {
    if (isa<snn::MaskOp>(op))
      ++masks;
    else if (isa<snn::SparseNNDialect>(op->getDialect()))
      ++layers;
  });
  FunctionType type = fn.getFunctionType();
  llvm::outs() << network.file << ": @" << fn.getSymName() << " is a valid network: "
               << snn::formatShape(cast<ShapedType>(type.getInput(0)).getShape())
               << " -> "
               << snn::formatShape(cast<ShapedType>(type.getResult(0)).getShape())
               << ", " << layers << " layers, " << masks << " masked weights\n";
  return 0;
}
} // namespace

Command driver::verifyCommand() { return {sub, run}; }
