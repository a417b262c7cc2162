//===- sparsec-opt.cpp - MLIR optimizer driver with sparsec's dialects ----===//
//
// Part of sparsec. Registers the snn dialect, the dialects networks use and
// the passes, then hands over to MlirOptMain.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

namespace sparsec::test {
void registerTestPasses();
} // namespace sparsec::test

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  sparsec::snn::registerSparseNNPasses();
  sparsec::test::registerTestPasses();
  mlir::DialectRegistry registry;
  sparsec::registerNetworkDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "sparsec optimizer driver\n", registry));
}
