//===- Driver.cpp - The sparsec command-line tool ---------------*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Driver/Driver.h"
#include "Common.h"

#include "sparsec/Network/Network.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;

Session::Session() : handler(sourceMgr, &ctx) {
  DialectRegistry registry;
  registerNetworkDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
  // A diagnostic quotes the source line; dumping the whole op as well would
  // bury it.
  ctx.printOpOnDiagnostic(false);
}

func::FuncOp Session::load(StringRef path, StringRef function) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer) {
    llvm::WithColor::error(llvm::errs(), "sparsec")
        << "cannot read network file '" << path
        << "': " << buffer.getError().message() << "\n";
    return nullptr;
  }
  module = parseNetwork(std::move(*buffer), sourceMgr, ctx);
  if (!module)
    return nullptr;
  FailureOr<func::FuncOp> fn = findNetwork(*module, function);
  if (failed(fn) || failed(verifyNetwork(*fn)))
    return nullptr;
  return *fn;
}

int driver::rewriteNetwork(StringRef command, func::FuncOp fn, StringRef path,
                           llvm::function_ref<void(OpPassManager &)> build) {
  FailureOr<NetworkStats> before = collectStats(fn);
  if (failed(before))
    return 1;
  PassManager pm(fn.getContext(), func::FuncOp::getOperationName());
  build(pm);
  if (failed(pm.run(fn)))
    return 1;
  FailureOr<NetworkStats> after = collectStats(fn);
  if (failed(after))
    return 1;
  // llvm::writeToOutput writes a temporary file next to `path` and renames
  // it, or removes it on failure.
  llvm::Error err = llvm::writeToOutput(path, [&](raw_ostream &os) {
    fn->getParentOfType<ModuleOp>().print(os);
    return llvm::Error::success();
  });
  if (err) {
    error(command) << "cannot write '" << path
                   << "': " << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  const LayerStats &a = before->total, &b = after->total;
  llvm::outs() << fmt::format(
      "wrote {}: params {} -> {}, nonzeros {} -> {}, MACs {} -> {}", path.str(),
      a.params, b.params, a.nonzeros, b.nonzeros, a.macs, b.macs);
  if (b.macs > 0)
    llvm::outs() << fmt::format(" ({:.2f}x fewer)",
                                double(a.macs) / double(b.macs));
  llvm::outs() << "\n";
  return 0;
}

raw_ostream &driver::error(StringRef command) {
  return llvm::WithColor::error(llvm::errs(), ("sparsec " + command).str());
}

int driver::main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  const Command commands[] = {
      verifyCommand(),   runCommand(),     statsCommand(), pruneCommand(),
      optimizeCommand(), compileCommand(), trainCommand(), evalCommand(),
      importCommand(),   doctorCommand()};
  // libLLVM registers hundreds of code generation flags at the top level;
  // they mean nothing to sparsec's users.
  llvm::cl::OptionCategory none("sparsec");
  llvm::cl::HideUnrelatedOptions(none);
  llvm::cl::SetVersionPrinter([](raw_ostream &os) {
    os << "sparsec " << SPARSEC_VERSION << " (MLIR " << LLVM_VERSION_STRING
       << ", Halide 14)\n";
  });
  if (!llvm::cl::ParseCommandLineOptions(
          argc, argv,
          "sparsec: a compiler for pruned neural networks\n\n"
          "  sparsec <command> --help   describes a command\n",
          &llvm::errs()))
    return 1;
  for (const Command &c : commands)
    if (c.sub)
      return c.run();
  llvm::errs() << "sparsec: no command given; the commands are:\n";
  for (const Command &c : commands)
    llvm::errs() << "  " << c.sub.getName() << "\t" << c.sub.getDescription()
                 << "\n";
  llvm::errs() << "Run 'sparsec <command> --help' for a command's options.\n";
  return 1;
}
