//===- RunCommand.cpp - sparsec run: the reference executor -----*- C++ -*-===//
//
// Part of sparsec. Reads a raw little-endian f32 input of the network's input
// shape, runs the reference executor and writes (or prints) the result.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"
#include "sparsec/Reference/Executor.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fmt/format.h>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;

namespace {
cl::SubCommand sub("run", "Run a network with the reference executor");
NetworkOptions network(sub);
cl::opt<std::string>
    inputFile("input", cl::Required, cl::sub(sub), cl::value_desc("file"),
              cl::desc("Input tensor: raw little-endian f32, row-major, of "
                       "the network's input shape ('-' for stdin)"));
cl::opt<std::string>
    outputFile("output", cl::sub(sub), cl::value_desc("file"),
               cl::desc("Write the result as raw little-endian f32 "
                        "(atomically); without it the result is printed"));
cl::opt<bool> print("print", cl::sub(sub),
                    cl::desc("Print the result even when writing --output"));
cl::alias inputAlias("i", cl::aliasopt(inputFile),
                     cl::desc("Alias for --input"));
cl::alias outputAlias("o", cl::aliasopt(outputFile),
                      cl::desc("Alias for --output"));

/// Reads the input tensor, insisting on exactly the bytes the shape needs.
std::optional<ref::Tensor> readInput(func::FuncOp fn) {
  ArrayRef<int64_t> shape =
      cast<ShapedType>(fn.getFunctionType().getInput(0)).getShape();
  int64_t n = numElements(shape);
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/false);
  if (!buffer) {
    error("run") << "cannot read input file '" << inputFile
                 << "': " << buffer.getError().message() << "\n";
    return std::nullopt;
  }
  StringRef bytes = (*buffer)->getBuffer();
  if (static_cast<int64_t>(bytes.size()) != n * 4) {
    error("run") << "input file '" << inputFile << "' holds " << bytes.size()
                 << " bytes, but @" << fn.getSymName() << " takes a "
                 << snn::formatShape(shape) << " f32 tensor (" << n * 4
                 << " bytes)\n";
    return std::nullopt;
  }
  ref::Tensor t(shape);
  for (int64_t i = 0; i < n; ++i)
    t.data[i] = llvm::bit_cast<float>(
        llvm::support::endian::read32le(bytes.data() + 4 * i));
  return t;
}

void printTensor(const ref::Tensor &t, raw_ostream &os) {
  int64_t rows = t.shape.empty() ? 1 : t.shape.front();
  int64_t cols = rows ? t.size() / rows : 0;
  for (int64_t r = 0; r < rows; ++r) {
    std::string line = fmt::format("[{}]", r);
    int64_t best = 0;
    for (int64_t c = 0; c < cols; ++c) {
      float v = t.data[r * cols + c];
      line += fmt::format(" {:.6g}", v);
      if (v > t.data[r * cols + best])
        best = c;
    }
    if (t.shape.size() == 2)
      line += fmt::format("  (argmax {})", best);
    os << line << "\n";
  }
}

int run() {
  Session session;
  func::FuncOp fn = session.load(network.file, network.function);
  if (!fn)
    return 1;
  std::optional<ref::Tensor> input = readInput(fn);
  if (!input)
    return 1;
  ref::Executor executor(fn);
  FailureOr<ref::Tensor> output = executor.run(*input);
  if (failed(output))
    return 1;
  if (!outputFile.empty()) {
    llvm::Error err = llvm::writeToOutput(outputFile, [&](raw_ostream &os) {
      for (float f : output->data) {
        char le[4];
        llvm::support::endian::write32le(le, llvm::bit_cast<uint32_t>(f));
        os.write(le, 4);
      }
      return llvm::Error::success();
    });
    if (err) {
      error("run") << "cannot write output: " << llvm::toString(std::move(err))
                   << "\n";
      return 1;
    }
  }
  if (outputFile.empty() || print) {
    llvm::outs() << "@" << fn.getSymName() << ": output "
                 << snn::formatShape(output->shape) << "\n";
    printTensor(*output, llvm::outs());
  }
  return 0;
}
} // namespace

Command driver::runCommand() { return {sub, run}; }
