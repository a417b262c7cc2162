//===- EntryPoints.cpp - The C functions a compiled network exports -*- C++ -*-===//
//
// Part of sparsec. The pipeline itself is `<name>_pipeline(halide_buffer_t *,
// halide_buffer_t *)`. Around it, written directly in Halide IR so that they
// land in the same object for every target without a C compiler or a linker:
//
//   int <name>(const float *input, float *output);
//   int <name>_buffer(halide_buffer_t *input, halide_buffer_t *output);
//
// The buffer variant checks every buffer field itself and returns an error
// code, because a failed check inside a Halide pipeline goes to
// halide_error(), whose default handler aborts the process.
//
//===----------------------------------------------------------------------===//

#include "EntryPoints.h"

using namespace sparsec;
using namespace sparsec::halide;
namespace hl = Halide;
using namespace Halide::Internal;

namespace {

hl::Expr bufferVar(const std::string &name) {
  return Variable::make(hl::type_of<struct halide_buffer_t *>(), name);
}

/// A halide_buffer_t on the stack describing a dense row-major f32 tensor at
/// `host`.
hl::Expr denseBuffer(const hl::Expr &host, llvm::ArrayRef<int64_t> shape) {
  BufferBuilder b;
  int rank = static_cast<int>(shape.size());
  b.buffer_memory = Call::make(hl::type_of<struct halide_buffer_t *>(),
                               Call::alloca,
                               {static_cast<int>(sizeof(halide_buffer_t))},
                               Call::Intrinsic);
  b.shape_memory = Call::make(
      hl::type_of<struct halide_dimension_t *>(), Call::alloca,
      {static_cast<int>(std::max(1, rank) * sizeof(halide_dimension_t))},
      Call::Intrinsic);
  b.host = host;
  b.type = hl::Float(32);
  b.dimensions = rank;
  int stride = 1;
  for (int d = 0; d < rank; ++d) {
    int extent = static_cast<int>(shape[rank - 1 - d]);
    b.mins.push_back(0);
    b.extents.push_back(extent);
    b.strides.push_back(stride);
    stride *= extent;
  }
  return b.build();
}

/// Returns `code` unless `ok` holds.
Stmt require(const hl::Expr &ok, int code, Stmt rest) {
  return Block::make(AssertStmt::make(ok, hl::Expr(code)), rest);
}

hl::Expr isNull(const hl::Expr &handle) {
  return hl::reinterpret(hl::UInt(64), handle) == make_zero(hl::UInt(64));
}

/// The checks of one buffer argument, wrapped around `rest`.
Stmt checkBuffer(const std::string &name, llvm::ArrayRef<int64_t> shape,
                 Stmt rest) {
  hl::Expr buf = bufferVar(name);
  auto field = [&](const std::string &op, hl::Type t, int dim = -1) {
    std::vector<hl::Expr> args{buf};
    if (dim >= 0)
      args.push_back(dim);
    return Call::make(t, op, args, Call::Extern);
  };
  int rank = static_cast<int>(shape.size());
  // Built inside out: the checks added last run first, so the null checks
  // guard every read of the buffer's fields.
  Stmt s = rest;
  int stride = 1;
  for (int d = 0; d < rank; ++d) {
    int extent = static_cast<int>(shape[rank - 1 - d]);
    hl::Expr ok = field(Call::buffer_get_min, hl::Int(32), d) == 0 &&
                  field(Call::buffer_get_extent, hl::Int(32), d) == extent &&
                  field(Call::buffer_get_stride, hl::Int(32), d) == stride;
    s = require(ok, halide_error_code_access_out_of_bounds, s);
    stride *= extent;
  }
  hl::Expr host = field(Call::buffer_get_host, hl::Handle());
  s = require(!isNull(host), halide_error_code_host_is_null, s);
  hl::Expr type = field(Call::buffer_get_type, hl::UInt(32));
  // halide_type_t {code = float (2), bits = 32, lanes = 1}, little-endian.
  s = require(type == make_const(hl::UInt(32), 2u | (32u << 8) | (1u << 16)),
              halide_error_code_bad_type, s);
  s = require(field(Call::buffer_get_dimensions, hl::Int(32)) == rank,
              halide_error_code_bad_dimensions, s);
  s = require(!isNull(buf), halide_error_code_buffer_argument_is_null, s);
  return s;
}

Stmt callPipeline(const std::string &pipeline, const hl::Expr &in,
                  const hl::Expr &out, int threads, const Workspace &ws) {
  std::string result = pipeline + "_result";
  hl::Expr r = Variable::make(hl::Int(32), result);
  Stmt s;
  if (ws.bytes == 0) {
    hl::Expr call = Call::make(hl::Int(32), pipeline,
                               {make_zero(hl::Handle()), in, out},
                               Call::Extern);
    s = LetStmt::make(result, call, AssertStmt::make(r == 0, r));
  } else {
    // Take the cached block (or a fresh one), run, and give it back before
    // reporting the pipeline's result.
    hl::Expr slot = Call::make(
        hl::Handle(), Call::buffer_get_host,
        {Variable::make(hl::type_of<struct halide_buffer_t *>(),
                        ws.slot + ".buffer")},
        Call::Extern);
    std::string block = pipeline + "_workspace";
    hl::Expr b = Variable::make(hl::Handle(), block);
    hl::Expr acquire =
        Call::make(hl::Handle(), "sparsec_workspace_acquire",
                   {slot, make_const(hl::UInt(64), ws.bytes)}, Call::Extern);
    hl::Expr release = Call::make(hl::Int(32), "sparsec_workspace_release",
                                  {slot, b}, Call::Extern);
    hl::Expr call = Call::make(hl::Int(32), pipeline, {b, in, out},
                               Call::Extern);
    s = LetStmt::make(
        result, call,
        Block::make(Evaluate::make(release), AssertStmt::make(r == 0, r)));
    s = LetStmt::make(
        block, acquire,
        require(!isNull(b), halide_error_code_out_of_memory, s));
  }
  if (threads > 1) {
    // Parallel loops run on sparsec's spinning pool (Runtime/Workspace.c)
    // with --threads threads; a loop that finds it busy uses Halide's pool,
    // which defaults to one thread per core: honour --threads there too.
    hl::Expr set = Call::make(hl::Int(32), "halide_set_num_threads",
                              {threads}, Call::Extern);
    hl::Expr pool = Call::make(hl::Int(32), "sparsec_parallel", {threads},
                               Call::Extern);
    s = Block::make({Evaluate::make(set), Evaluate::make(pool), s});
  }
  return s;
}

} // namespace

void sparsec::halide::addEntryPoints(hl::Module &module, const std::string &name,
                                     const std::string &pipeline,
                                     llvm::ArrayRef<int64_t> inputShape,
                                     llvm::ArrayRef<int64_t> outputShape,
                                     llvm::ArrayRef<int64_t> inputView,
                                     llvm::ArrayRef<int64_t> outputView,
                                     int threads, const Workspace &ws) {
  hl::ArgumentEstimates none;
  // int <name>(const float *input, float *output)
  {
    hl::Expr in = Variable::make(hl::Handle(), "input");
    hl::Expr out = Variable::make(hl::Handle(), "output");
    Stmt body = callPipeline(pipeline, denseBuffer(in, inputView),
                             denseBuffer(out, outputView), threads, ws);
    body = require(!isNull(out), halide_error_code_host_is_null, body);
    body = require(!isNull(in), halide_error_code_host_is_null, body);
    std::vector<hl::Argument> args = {
        hl::Argument("input", hl::Argument::InputScalar, hl::Handle(), 0, none),
        hl::Argument("output", hl::Argument::InputScalar, hl::Handle(), 0,
                     none)};
    module.append(LoweredFunc(name, args, body, hl::LinkageType::External,
                              hl::NameMangling::C));
  }
  // int <name>_buffer(halide_buffer_t *input, halide_buffer_t *output)
  {
    // The checks below establish that both buffers are dense with the
    // network's shapes, so their memory can be handed on as the views.
    auto host = [](const char *buffer) {
      return Call::make(hl::Handle(), Call::buffer_get_host,
                        {bufferVar(buffer)}, Call::Extern);
    };
    Stmt body = callPipeline(pipeline,
                             denseBuffer(host("input.buffer"), inputView),
                             denseBuffer(host("output.buffer"), outputView),
                             threads, ws);
    body = checkBuffer("output.buffer", outputShape, body);
    body = checkBuffer("input.buffer", inputShape, body);
    std::vector<hl::Argument> args = {
        hl::Argument("input.buffer", hl::Argument::InputScalar,
                     hl::type_of<struct halide_buffer_t *>(), 0, none),
        hl::Argument("output.buffer", hl::Argument::InputScalar,
                     hl::type_of<struct halide_buffer_t *>(), 0, none)};
    module.append(LoweredFunc(name + "_buffer", args, body,
                              hl::LinkageType::External, hl::NameMangling::C));
  }
}
