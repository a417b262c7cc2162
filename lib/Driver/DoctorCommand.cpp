//===- DoctorCommand.cpp - sparsec doctor: check the installation -*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Conversion/SNNToHalide/Toolchain.h"

#include "llvm/Config/llvm-config.h"

using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;

namespace {
cl::SubCommand sub("doctor", "Check that MLIR and Halide work together in "
                             "this installation");

int run() {
  llvm::outs() << "mlir: " << LLVM_VERSION_STRING << "\n";
  if (failed(halide::checkToolchain(llvm::outs()))) {
    error("doctor") << "the Halide toolchain does not work here\n";
    return 1;
  }
  llvm::outs() << "all checks passed\n";
  return 0;
}
} // namespace

Command driver::doctorCommand() { return {sub, run}; }
