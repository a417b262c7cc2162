//===- Common.h - Shared pieces of the sparsec commands ---------*- C++ -*-===//
//
// Part of sparsec. Private to lib/Driver.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_LIB_DRIVER_COMMON_H
#define SPARSEC_LIB_DRIVER_COMMON_H

#include "sparsec/Network/Stats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#include <memory>

namespace sparsec::driver {

/// One sparsec command: its subcommand (which owns its options) and entry.
struct Command {
  llvm::cl::SubCommand &sub;
  int (*run)();
};

Command runCommand();
Command statsCommand();
Command doctorCommand();
Command verifyCommand();
Command compileCommand();
Command pruneCommand();
Command optimizeCommand();
Command trainCommand();
Command evalCommand();
Command importCommand();

/// The options of every command that reads a network: the file and, for files
/// with several functions, which one. Construct after the subcommand, in the
/// same file.
struct NetworkOptions {
  explicit NetworkOptions(llvm::cl::SubCommand &sub)
      : file(llvm::cl::Positional, llvm::cl::Required, llvm::cl::sub(sub),
             llvm::cl::desc("<net.mlir>")),
        function("function", llvm::cl::sub(sub), llvm::cl::value_desc("name"),
                 llvm::cl::desc("The network function, when the file holds "
                                "more than one")) {}
  llvm::cl::opt<std::string> file;
  llvm::cl::opt<std::string> function;
};

/// An MLIR context with sparsec's dialects and diagnostics printed against the
/// source file, plus the loaded network.
class Session {
public:
  Session();

  /// Parses `path`, picks the network (by name, or the only function) and
  /// verifies it. Diagnostics are printed; returns null on failure.
  mlir::func::FuncOp load(llvm::StringRef path, llvm::StringRef function);

  mlir::MLIRContext &context() { return ctx; }

private:
  mlir::MLIRContext ctx;
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

/// The `-o out.mlir` option of the commands that write a network.
struct OutputOption {
  OutputOption(llvm::cl::SubCommand &sub, llvm::StringRef what)
      : file("o", llvm::cl::Required, llvm::cl::sub(sub),
             llvm::cl::value_desc("out.mlir"), llvm::cl::desc(what)) {}
  llvm::cl::opt<std::string> file;
};

/// Runs the passes `build` adds on `fn` alone (they print their own
/// diagnostics), writes the module to `path` atomically (a temporary file,
/// then a rename; nothing is written on failure) and prints what changed:
/// "wrote <path>: params a -> b, nonzeros c -> d, MACs e -> f (Nx fewer)".
/// Returns the command's exit code.
int rewriteNetwork(llvm::StringRef command, mlir::func::FuncOp fn,
                   llvm::StringRef path,
                   llvm::function_ref<void(mlir::OpPassManager &)> build);

/// Prints "sparsec <cmd>: error: <msg>" for errors without a source location.
llvm::raw_ostream &error(llvm::StringRef command);

} // namespace sparsec::driver

#endif // SPARSEC_LIB_DRIVER_COMMON_H
