//===- CompileCommand.cpp - sparsec compile: network to object + header ---===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Conversion/SNNToHalide/Compile.h"
#include "sparsec/Conversion/SNNToHalide/Tune.h"
#include "sparsec/Conversion/SNNToHalide/TargetSpec.h"
#include "sparsec/Train/HalideStep.h"
#include "sparsec/Train/Import.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;

namespace {
enum class Emit { Object, Header, Assembly, Stmt, Mlir };

cl::SubCommand sub("compile", "Compile a network to an object file and a C "
                              "header");
NetworkOptions network(sub);
cl::opt<std::string> output("o", cl::Required, cl::sub(sub),
                            cl::value_desc("net.o"),
                            cl::desc("The object file; the header and other "
                                     "outputs go next to it (net.h, net.s, "
                                     "net.stmt)"));
cl::opt<std::string> target("target", cl::sub(sub), cl::init("host"),
                            cl::value_desc("name"),
                            cl::desc("host, x86-64-avx2, x86-64-avx512 or "
                                     "arm64-neon"));
cl::opt<int> threads("threads", cl::sub(sub), cl::init(1),
                     cl::value_desc("N"),
                     cl::desc("Threads the generated code may use"));
cl::opt<bool> profile("profile", cl::sub(sub),
                      cl::desc("Instrument the code to print the time spent "
                               "in each layer's stages when the program "
                               "exits"));
cl::opt<bool> tune(
    "tune", cl::sub(sub),
    cl::desc("Time alternative schedules (tile, interleave, loop order, dense "
             "or sparse) of every sparse layer on this machine and keep the "
             "fastest; the target must run here. --emit=mlir shows the "
             "result, which later compiles reuse without timing"));
cl::opt<bool> tuneCandidates(
    "tune-candidates", cl::sub(sub),
    cl::desc("With --tune, also print every schedule timed and its time "
             "(stderr), before its layer's line"));
cl::opt<bool> trainStep(
    "train", cl::sub(sub),
    cl::desc("Compile the training step instead of inference: "
             "<name>_train_step (loss and gradients), <name>_train_forward "
             "and <name>_train_init on Halide buffers, for apps that "
             "fine-tune with the runtime library (masks compiled in)"));
cl::list<Emit> emit(
    "emit", cl::sub(sub), cl::CommaSeparated,
    cl::desc("What to write (default: obj,header)"),
    cl::values(clEnumValN(Emit::Object, "obj", "the object file"),
               clEnumValN(Emit::Header, "header", "the C header"),
               clEnumValN(Emit::Assembly, "asm", "the assembly (.s)"),
               clEnumValN(Emit::Stmt, "stmt", "Halide's loop nest (.stmt)"),
               clEnumValN(Emit::Mlir, "mlir",
                          "print the IR with the chosen formats and "
                          "schedules to stdout")));

llvm::SmallString<256> outputStem() {
  llvm::SmallString<256> stem(output);
  if (llvm::sys::path::extension(stem) == ".o")
    llvm::sys::path::replace_extension(stem, "");
  return stem;
}

int compileTrain(func::FuncOp fn, const halide::TargetSpec &spec) {
  for (Emit e : emit)
    if (e == Emit::Assembly || e == Emit::Mlir) {
      driver::error("compile") << "--train emits obj, header and stmt only\n";
      return 1;
    }
  FailureOr<train::ImportedNetwork> net = train::importNetwork(fn);
  if (failed(net))
    return 1;
  std::vector<Emit> kinds(emit.begin(), emit.end());
  if (kinds.empty())
    kinds = {Emit::Object, Emit::Header};
  auto wants = [&](Emit e) { return llvm::is_contained(kinds, e); };
  llvm::SmallString<256> stem = outputStem();
  train::TrainStepOutputs outs;
  if (wants(Emit::Object))
    outs.object = output;
  if (wants(Emit::Header))
    outs.header = (stem + ".h").str();
  if (wants(Emit::Stmt))
    outs.stmt = (stem + ".stmt").str();
  std::string error;
  if (!train::compileTrainStep(net->graph, fn.getSymName().str(),
                               spec.halideTarget,
                               llvm::sys::path::filename(network.file).str(),
                               outs, error)) {
    fn.emitError() << error;
    return 1;
  }
  return 0;
}

int run() {
  Session session;
  func::FuncOp fn = session.load(network.file, network.function);
  if (!fn)
    return 1;
  std::string error;
  FailureOr<halide::TargetSpec> spec =
      halide::resolveTarget(target, threads, error);
  if (failed(spec)) {
    driver::error("compile") << error << "\n";
    return 1;
  }
  spec->profile = profile;
  if (trainStep) {
    if (tune) {
      driver::error("compile") << "--tune applies to inference networks, not "
                                  "to --train\n";
      return 1;
    }
    return compileTrain(fn, *spec);
  }
  if (tuneCandidates && !tune) {
    driver::error("compile") << "--tune-candidates needs --tune\n";
    return 1;
  }
  if (tune ? failed(halide::tuneNetwork(fn, *spec, llvm::errs(),
                                        tuneCandidates))
           : failed(halide::prepareNetwork(fn, *spec)))
    return 1;

  std::vector<Emit> kinds(emit.begin(), emit.end());
  if (kinds.empty())
    kinds = {Emit::Object, Emit::Header};
  auto wants = [&](Emit e) { return llvm::is_contained(kinds, e); };
  llvm::SmallString<256> stem(output);
  if (llvm::sys::path::extension(stem) == ".o")
    llvm::sys::path::replace_extension(stem, "");
  auto next = [&](StringRef ext) { return (stem + ext).str(); };

  if (wants(Emit::Mlir))
    fn->getParentOfType<ModuleOp>().print(llvm::outs());

  halide::CompileOutputs outputs;
  outputs.sourceName = llvm::sys::path::filename(network.file).str();
  if (wants(Emit::Object))
    outputs.object = output;
  if (wants(Emit::Header))
    outputs.header = next(".h");
  if (wants(Emit::Assembly))
    outputs.assembly = next(".s");
  if (wants(Emit::Stmt))
    outputs.stmt = next(".stmt");
  if (outputs.object.empty() && outputs.header.empty() &&
      outputs.assembly.empty() && outputs.stmt.empty())
    return 0;
  return failed(halide::compileNetwork(fn, *spec, outputs)) ? 1 : 0;
}
} // namespace

Command driver::compileCommand() { return {sub, run}; }
