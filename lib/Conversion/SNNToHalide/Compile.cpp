//===- Compile.cpp - Compile a network to an object file and header -*- C++ -*-===//
//
// Part of sparsec. The boundary between sparsec and Halide: Halide reports
// errors by throwing, and nothing thrown leaves this file.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Conversion/SNNToHalide/Compile.h"
#include "EntryPoints.h"
#include "Lowering.h"
#include "Workspace.h"

#include "sparsec/Conversion/SNNToHalide/Plan.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::halide;
namespace hl = Halide;

LogicalResult sparsec::halide::prepareNetwork(func::FuncOp fn,
                                              const TargetSpec &target) {
  return planNetwork(fn, target);
}

namespace {

/// Files written under temporary names next to their destinations and renamed
/// into place only when every one of them is complete.
class AtomicOutputs {
public:
  ~AtomicOutputs() {
    for (auto &[tmp, dest] : files) {
      llvm::sys::fs::remove(tmp);
      llvm::sys::DontRemoveFileOnSignal(tmp);
    }
  }

  /// A temporary path for `dest` (empty if `dest` is empty).
  FailureOr<std::string> add(const std::string &dest, func::FuncOp fn) {
    if (dest.empty())
      return std::string();
    llvm::SmallString<256> tmp;
    llvm::SmallString<256> model(dest);
    model += ".tmp-%%%%%%%%";
    if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, tmp)) {
      fn.emitError() << "cannot create a file next to '" << dest
                     << "': " << ec.message();
      return failure();
    }
    // Even a crash or an interrupt leaves no temporary file behind.
    llvm::sys::RemoveFileOnSignal(tmp);
    files.push_back({tmp.str().str(), dest});
    return tmp.str().str();
  }

  LogicalResult commit(func::FuncOp fn) {
    for (auto &[tmp, dest] : files)
      if (std::error_code ec = llvm::sys::fs::rename(tmp, dest))
        return fn.emitError() << "cannot write '" << dest
                              << "': " << ec.message();
    for (auto &[tmp, dest] : files)
      llvm::sys::DontRemoveFileOnSignal(tmp);
    files.clear();
    return success();
  }

private:
  std::vector<std::pair<std::string, std::string>> files;
};

std::string identifier(StringRef s) {
  std::string out;
  for (char c : s)
    out += isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || isdigit(static_cast<unsigned char>(out[0])))
    out = "net_" + out;
  return out;
}

std::string shapeList(ArrayRef<int64_t> shape) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + std::to_string(d);
  return s;
}

/// The C++17 convenience layer of a network header: sparsec::Result and
/// sparsec::Error (once per translation unit, shared by every network
/// header), and sparsec::networks::<name> with the shapes as constants,
/// typed buffers and the entry point returning a Result or throwing.
std::string cxxLayer(const std::string &name, ArrayRef<int64_t> in,
                     ArrayRef<int64_t> out) {
  std::string h;
  h += "#if defined(__cplusplus) && __cplusplus >= 201703L\n"
       "/* C++17: typed buffers, shape constants, and error codes as\n"
       "   sparsec::Result (like std::expected<T, int>) or sparsec::Error. */\n"
       "#include <array>\n#include <cstddef>\n#include <stdexcept>\n"
       "#include <string>\n#include <utility>\n\n";
  h += R"(#ifndef SPARSEC_CXX_RESULT
#define SPARSEC_CXX_RESULT
namespace sparsec {

/// What a code returned by a generated entry point means.
inline std::string errorMessage(int code) {
  switch (code) {
  case 0: return "success";
  case -3: return "wrong element type";
  case -4: return "wrong buffer size or shape";
  case -12: return "null buffer";
  case -34: return "null pointer";
  case -43: return "wrong number of dimensions";
  default: return "error " + std::to_string(code);
  }
}

/// A failed call, for callers who prefer exceptions.
class Error : public std::runtime_error {
public:
  explicit Error(int code)
      : std::runtime_error("sparsec network: " + errorMessage(code)),
        code_(code) {}
  int code() const noexcept { return code_; }

private:
  int code_;
};

/// A value, or the error code of the call that failed to produce it.
template <typename T> class Result {
public:
  Result(T value) : value_(std::move(value)) {}
  static Result failure(int code) {
    Result r{T{}};
    r.code_ = code;
    return r;
  }
  bool has_value() const noexcept { return code_ == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  /// 0 on success.
  int error() const noexcept { return code_; }
  std::string message() const { return errorMessage(code_); }
  /// The value; throws sparsec::Error if the call failed.
  const T &value() const & {
    if (code_ != 0)
      throw Error(code_);
    return value_;
  }
  T value() && {
    if (code_ != 0)
      throw Error(code_);
    return std::move(value_);
  }
  const T &operator*() const & noexcept { return value_; }
  const T *operator->() const noexcept { return &value_; }

private:
  T value_;
  int code_ = 0;
};

} // namespace sparsec
#endif /* SPARSEC_CXX_RESULT */

)";
  h += "namespace sparsec {\nnamespace networks {\n\n";
  h += fmt::format("/// @{0}: shapes, typed buffers and entry points.\n"
                   "struct {0} {{\n",
                   name);
  h += fmt::format("  static constexpr std::array<long long, {}> input_shape{{{{{}}}}};\n",
                   in.size(), shapeList(in));
  h += fmt::format("  static constexpr std::array<long long, {}> output_shape{{{{{}}}}};\n",
                   out.size(), shapeList(out));
  h += fmt::format("  static constexpr std::size_t input_size = {};\n", numElements(in));
  h += fmt::format("  static constexpr std::size_t output_size = {};\n", numElements(out));
  h += "  using input_type = std::array<float, input_size>;\n"
       "  using output_type = std::array<float, output_size>;\n\n";
  h += fmt::format(
      "  /// Runs the network; the error code instead of a value if it fails.\n"
      "  static ::sparsec::Result<output_type> run(const input_type &input) noexcept {{\n"
      "    output_type output;\n"
      "    int code = ::{0}(input.data(), output.data());\n"
      "    if (code != 0)\n"
      "      return ::sparsec::Result<output_type>::failure(code);\n"
      "    return output;\n"
      "  }}\n\n"
      "  /// Runs on caller memory of `input_count` and `output_count` floats:\n"
      "  /// 0, -4 if a count is not the network's, or the entry point's code.\n"
      "  static int run(const float *input, std::size_t input_count, float *output,\n"
      "                 std::size_t output_count) noexcept {{\n"
      "    if (input_count != input_size || output_count != output_size)\n"
      "      return -4;\n"
      "    return ::{0}(input, output);\n"
      "  }}\n\n"
      "  /// Runs the network; throws sparsec::Error if it fails.\n"
      "  static output_type run_or_throw(const input_type &input) {{\n"
      "    return run(input).value();\n"
      "  }}\n"
      "}};\n\n",
      name);
  h += "} // namespace networks\n} // namespace sparsec\n"
       "#endif /* C++17 */\n\n";
  return h;
}

} // namespace

std::string sparsec::halide::networkHeader(func::FuncOp fn,
                                           const TargetSpec &target,
                                           StringRef sourceName) {
  std::string name = fn.getSymName().str();
  std::string guard = "SPARSEC_NETWORK_" + llvm::StringRef(identifier(name)).upper() + "_H";
  ArrayRef<int64_t> in =
      cast<ShapedType>(fn.getFunctionType().getInput(0)).getShape();
  ArrayRef<int64_t> out =
      cast<ShapedType>(fn.getFunctionType().getResult(0)).getShape();
  std::string h;
  h += fmt::format("/* {}.h: network @{} compiled by sparsec from {} for {}.\n"
                   "   Generated file; do not edit. */\n",
                   name, name, sourceName.str(), target.name);
  h += fmt::format("#ifndef {0}\n#define {0}\n\n#include <stdint.h>\n\n", guard);
  h += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  h += "struct halide_buffer_t;\n\n";
  h += fmt::format("/* Input {} f32 and output {} f32, dense row-major. */\n",
                   snn::formatShape(in), snn::formatShape(out));
  h += "enum {\n";
  h += fmt::format("  {}_input_rank = {},\n", name, in.size());
  h += fmt::format("  {}_input_size = {},\n", name, numElements(in));
  for (auto [i, d] : llvm::enumerate(in))
    h += fmt::format("  {}_input_dim{} = {},\n", name, i, d);
  h += fmt::format("  {}_output_rank = {},\n", name, out.size());
  h += fmt::format("  {}_output_size = {},\n", name, numElements(out));
  for (auto [i, d] : llvm::enumerate(out))
    h += fmt::format("  {}_output_dim{} = {},\n", name, i, d);
  h += "};\n\n";
  h += fmt::format(
      "/* Runs @{0} on `input` ({1} floats) into `output` ({2} floats).\n"
      "   Returns 0, or -34 if a pointer is null. */\n"
      "int {0}(const float *input, float *output);\n\n",
      name, numElements(in), numElements(out));
  h += fmt::format(
      "/* The same on Halide 14 buffer descriptors (HalideRuntime.h), whose\n"
      "   shapes must be [{1}] and [{2}] (dims listed outermost first), f32,\n"
      "   dense. Returns 0 or an error code: -12 null buffer, -43 wrong number\n"
      "   of dimensions, -3 wrong element type, -34 null host pointer, -4 a\n"
      "   dimension's min, extent or stride differs. */\n"
      "int {0}_buffer(struct halide_buffer_t *input,\n"
      "               struct halide_buffer_t *output);\n\n",
      name, shapeList(in), shapeList(out));
  h += "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n";
  h += cxxLayer(name, in, out);
  h += fmt::format("#endif /* {} */\n", guard);
  return h;
}

LogicalResult sparsec::halide::compileNetwork(func::FuncOp fn,
                                              const TargetSpec &target,
                                              const CompileOutputs &outputs) {
  std::string name = fn.getSymName().str();
  if (identifier(name) != name)
    return fn.emitOpError() << "name @" << name
                            << " is not a C identifier; rename the function";
  AtomicOutputs files;
  FailureOr<std::string> obj = files.add(outputs.object, fn),
                         hdr = files.add(outputs.header, fn),
                         asmFile = files.add(outputs.assembly, fn),
                         stmt = files.add(outputs.stmt, fn);
  if (failed(obj) || failed(hdr) || failed(asmFile) || failed(stmt))
    return failure();

  try {
    NetworkLowering lowering(fn, target);
    if (failed(lowering.build()))
      return failure();
    hl::Target t(target.halideTarget);
    t = t.with_feature(hl::Target::NoBoundsQuery);
    if (target.profile)
      t = t.with_feature(hl::Target::Profile);
    std::string pipelineName = name + "_pipeline";
    hl::Pipeline pipeline(lowering.output());
    hl::Param<void *> workspace("sparsec_workspace");
    hl::Module module = pipeline.compile_to_module(
        {workspace, lowering.input()}, pipelineName, t,
        hl::LinkageType::ExternalPlusMetadata);
    Workspace ws = placeInWorkspace(module, pipelineName, workspace.name(),
                                    name, target.threads > 1);
    ArrayRef<int64_t> in =
        cast<ShapedType>(fn.getFunctionType().getInput(0)).getShape();
    ArrayRef<int64_t> out =
        cast<ShapedType>(fn.getFunctionType().getResult(0)).getShape();
    addEntryPoints(module, name, pipelineName, in, out, lowering.inputView(),
                   lowering.outputView(), target.threads, ws);
    std::map<hl::OutputFileType, std::string> halideOutputs;
    if (!obj->empty())
      halideOutputs[hl::OutputFileType::object] = *obj;
    if (!asmFile->empty())
      halideOutputs[hl::OutputFileType::assembly] = *asmFile;
    if (!stmt->empty())
      halideOutputs[hl::OutputFileType::stmt] = *stmt;
    if (!halideOutputs.empty())
      module.compile(halideOutputs);
  } catch (const hl::Error &e) {
    return fn.emitOpError() << "cannot be compiled by Halide: " << e.what();
  }

  if (!hdr->empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(*hdr, ec);
    if (!ec) {
      os << networkHeader(fn, target, outputs.sourceName);
      os.close();
      ec = os.error();
    }
    if (ec)
      return fn.emitError() << "cannot write the header '" << outputs.header
                            << "': " << ec.message();
  }
  return files.commit(fn);
}
