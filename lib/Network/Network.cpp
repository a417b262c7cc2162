//===- Network.cpp - Loading and checking snn networks ----------*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Network/Network.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>
#include <unistd.h>

using namespace mlir;
using namespace sparsec;

void sparsec::registerNetworkDialects(DialectRegistry &registry) {
  registry.insert<snn::SparseNNDialect, arith::ArithDialect,
                  func::FuncDialect>();
}

OwningOpRef<ModuleOp>
sparsec::parseNetwork(std::unique_ptr<llvm::MemoryBuffer> buffer,
                      llvm::SourceMgr &sourceMgr, MLIRContext &ctx) {
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&ctx));
}

FailureOr<func::FuncOp> sparsec::findNetwork(ModuleOp module, StringRef name) {
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  if (!name.empty()) {
    for (func::FuncOp fn : funcs)
      if (fn.getSymName() == name)
        return fn;
    InFlightDiagnostic diag = module.emitError()
                              << "no function named '" << name << "'";
    if (!funcs.empty()) {
      diag << "; the file defines";
      for (func::FuncOp fn : funcs)
        diag << " @" << fn.getSymName();
    }
    return failure();
  }
  if (funcs.size() == 1)
    return funcs.front();
  if (funcs.empty())
    return module.emitError() << "the file defines no func.func network";
  InFlightDiagnostic diag =
      module.emitError() << "the file defines " << funcs.size()
                         << " functions; choose one with --function:";
  for (func::FuncOp fn : funcs)
    diag << " @" << fn.getSymName();
  return failure();
}

int64_t sparsec::numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Reads the raw bytes of a dense_resource constant, checking that the blob
/// exists and has exactly the bytes the type needs.
static FailureOr<ArrayRef<char>> readResource(Operation *op,
                                              DenseResourceElementsAttr attr,
                                              int64_t bytesPerElement) {
  DenseResourceElementsHandle handle = attr.getRawHandle();
  AsmResourceBlob *blob = handle.getBlob();
  if (!blob)
    return op->emitOpError() << "dense_resource blob '" << handle.getKey()
                             << "' has no data (missing from the file's "
                                "dialect_resources section)";
  int64_t n = attr.getNumElements();
  ArrayRef<char> raw = blob->getData();
  if (static_cast<int64_t>(raw.size()) != n * bytesPerElement)
    return op->emitOpError()
           << "dense_resource blob '" << handle.getKey() << "' holds "
           << raw.size() << " bytes, but " << attr.getType() << " needs "
           << n * bytesPerElement;
  return raw;
}

static FailureOr<Attribute> constantAttr(Value v, StringRef what) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst) {
    if (Operation *def = v.getDefiningOp())
      return def->emitOpError()
             << "produces a " << what
             << " that is not a constant; sparsec needs constant " << what
             << "s";
    return emitError(v.getLoc())
           << "a " << what << " must be a constant, not a block argument";
  }
  return cst.getValue();
}

FailureOr<std::vector<float>> sparsec::readF32Constant(Value v) {
  FailureOr<Attribute> attr = constantAttr(v, "weight");
  if (failed(attr))
    return failure();
  Operation *op = v.getDefiningOp();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return op->emitOpError() << "must be a statically shaped f32 tensor to "
                                "be used as a weight, but is "
                             << v.getType();
  if (auto dense = dyn_cast<DenseFPElementsAttr>(*attr)) {
    std::vector<float> out;
    out.reserve(dense.getNumElements());
    for (float f : dense.getValues<float>())
      out.push_back(f);
    return out;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(*attr)) {
    FailureOr<ArrayRef<char>> data = readResource(op, res, 4);
    if (failed(data))
      return failure();
    std::vector<float> out(res.getNumElements());
    std::memcpy(out.data(), data->data(), data->size());
    return out;
  }
  return op->emitOpError() << "holds " << *attr
                           << ", which is not dense f32 data";
}

FailureOr<std::vector<uint8_t>> sparsec::readMaskConstant(Value v) {
  FailureOr<Attribute> attr = constantAttr(v, "mask");
  if (failed(attr))
    return failure();
  Operation *op = v.getDefiningOp();
  if (auto dense = dyn_cast<DenseIntElementsAttr>(*attr);
      dense && dense.getElementType().isInteger(1)) {
    std::vector<uint8_t> out;
    out.reserve(dense.getNumElements());
    for (bool b : dense.getValues<bool>())
      out.push_back(b ? 1 : 0);
    return out;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(*attr);
      res && res.getElementType().isInteger(1)) {
    FailureOr<ArrayRef<char>> data = readResource(op, res, 1);
    if (failed(data))
      return failure();
    std::vector<uint8_t> out;
    out.reserve(data->size());
    for (auto [i, byte] : llvm::enumerate(*data)) {
      if (static_cast<uint8_t>(byte) > 1)
        return op->emitOpError()
               << "i1 dense_resource blob holds byte "
               << unsigned(static_cast<uint8_t>(byte))
               << " at element " << i << "; masks hold only 0 or 1";
      out.push_back(byte);
    }
    return out;
  }
  return op->emitOpError() << "holds " << *attr
                           << ", which is not dense i1 data";
}

int64_t Weight::nonzeros() const {
  return llvm::count_if(values, [](float f) { return f != 0.0f; });
}

FailureOr<Weight> sparsec::readStoredWeight(Value v) {
  Weight w;
  w.shape.assign(cast<ShapedType>(v.getType()).getShape().begin(),
                 cast<ShapedType>(v.getType()).getShape().end());
  Value raw = v;
  if (auto mask = v.getDefiningOp<snn::MaskOp>()) {
    raw = mask.getWeight();
    FailureOr<std::vector<uint8_t>> m = readMaskConstant(mask.getMask());
    if (failed(m))
      return failure();
    w.mask = std::move(*m);
  }
  FailureOr<std::vector<float>> values = readF32Constant(raw);
  if (failed(values))
    return failure();
  w.values = std::move(*values);
  return w;
}

FailureOr<Weight> sparsec::readWeight(Value v) {
  FailureOr<Weight> w = readStoredWeight(v);
  if (failed(w))
    return failure();
  if (w->mask)
    for (auto [x, keep] : llvm::zip_equal(w->values, *w->mask))
      if (!keep)
        x = 0.0f;
  return w;
}

static LogicalResult verifyActivationType(func::FuncOp fn, Type type,
                                          StringRef what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() || !tensor.getElementType().isF32())
    return fn.emitOpError() << "network " << what
                            << " must be a statically shaped f32 tensor, but "
                               "is "
                            << type;
  return success();
}

/// Weights, biases and batchnorm statistics are baked into compiled code, so
/// they must be constants (or masked constants), never computed values.
static LogicalResult verifyParameters(Operation *op) {
  SmallVector<std::pair<Value, StringRef>> params;
  if (auto d = dyn_cast<snn::DenseOp>(op))
    params = {{d.getWeight(), "weight"}, {d.getBias(), "bias"}};
  else if (auto c = dyn_cast<snn::Conv2DOp>(op))
    params = {{c.getWeight(), "weight"}, {c.getBias(), "bias"}};
  else if (auto bn = dyn_cast<snn::BatchNormOp>(op))
    params = {{bn.getScale(), "scale"},
              {bn.getShift(), "shift"},
              {bn.getMean(), "mean"},
              {bn.getVar(), "var"}};
  for (auto [v, name] : params) {
    if (!v || v.getDefiningOp<arith::ConstantOp>() ||
        v.getDefiningOp<snn::MaskOp>())
      continue;
    InFlightDiagnostic diag = op->emitOpError()
                              << name
                              << " must be an arith.constant or an snn.mask "
                                 "of constants, but ";
    if (Operation *def = v.getDefiningOp())
      diag << "is produced by '" << def->getName() << "'";
    else
      diag << "is a function argument";
    return failure();
  }
  return success();
}

uint64_t sparsec::physicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long pageSize = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || pageSize <= 0)
    return UINT64_MAX;
  return uint64_t(pages) * uint64_t(pageSize);
}

/// Refuses, before anything is allocated, a network whose tensors could not
/// all be held at once: the executor keeps every value, and constants are
/// expanded to plain arrays.
static LogicalResult verifyMemory(func::FuncOp fn) {
  uint64_t total = 0;
  auto add = [&](Value v) -> LogicalResult {
    auto type = dyn_cast<ShapedType>(v.getType());
    if (!type || !type.hasStaticShape())
      return success();
    uint64_t bytes = 4;
    bool overflow = false;
    for (int64_t d : type.getShape())
      bytes = llvm::SaturatingMultiply<uint64_t>(bytes, d, &overflow);
    if (!overflow)
      total = llvm::SaturatingAdd<uint64_t>(total, bytes, &overflow);
    if (overflow)
      return emitError(v.getLoc())
             << "tensor " << v.getType()
             << " has more elements than fit in 64 bits";
    return success();
  };
  if (failed(add(fn.getArgument(0))))
    return failure();
  for (Operation &op : fn.getBody().front())
    for (Value r : op.getResults())
      if (failed(add(r)))
        return failure();
  uint64_t limit = physicalMemoryBytes();
  if (total > limit)
    return fn.emitOpError() << "network @" << fn.getSymName() << " needs "
                            << total << " bytes for its tensors, more than "
                            << "this machine's " << limit
                            << " bytes of memory";
  return success();
}

/// A layer whose format is N:M must not have more than N nonzeros in any group
/// of M consecutive weights of an output row (the last group may be short).
static LogicalResult verifyFormatPattern(Operation *op) {
  auto format = op->getAttrOfType<snn::FormatAttr>("format");
  if (!format || format.getKind() != snn::FormatKind::NM)
    return success();
  FailureOr<Weight> w = readWeight(op->getOperand(1));
  if (failed(w))
    return failure();
  int64_t n = format.getParams()[0], m = format.getParams()[1];
  int64_t rows = w->shape[0], cols = w->size() / rows;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < cols; g += m) {
      int64_t nonzeros = 0;
      for (int64_t c = g; c < std::min(g + m, cols); ++c)
        nonzeros += w->values[r * cols + c] != 0.0f;
      if (nonzeros > n)
        return op->emitOpError()
               << "has format " << format << ", but output " << r
               << " has " << nonzeros << " nonzeros among weights " << g
               << ".." << std::min(g + m, cols) - 1;
    }
  return success();
}

LogicalResult sparsec::verifyNetwork(func::FuncOp fn) {
  FunctionType type = fn.getFunctionType();
  if (fn.isExternal())
    return fn.emitOpError() << "network @" << fn.getSymName()
                            << " has no body";
  if (type.getNumInputs() != 1 || type.getNumResults() != 1)
    return fn.emitOpError() << "network @" << fn.getSymName()
                            << " must take one input and return one result, "
                               "but takes "
                            << type.getNumInputs() << " and returns "
                            << type.getNumResults();
  if (failed(verifyActivationType(fn, type.getInput(0), "input")) ||
      failed(verifyActivationType(fn, type.getResult(0), "result")))
    return failure();
  if (!fn.getBody().hasOneBlock())
    return fn.emitOpError() << "network @" << fn.getSymName()
                            << " must have a single block";
  if (failed(verifyMemory(fn)))
    return failure();

  for (Operation &op : fn.getBody().front()) {
    if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
      auto t = dyn_cast<RankedTensorType>(cst.getType());
      if (t && t.getElementType().isInteger(1)) {
        if (failed(readMaskConstant(cst)))
          return failure();
        continue;
      }
      FailureOr<std::vector<float>> values = readF32Constant(cst);
      if (failed(values))
        return failure();
      for (auto [i, f] : llvm::enumerate(*values))
        if (!std::isfinite(f))
          return cst.emitOpError()
                 << "weight element " << i << " is " << f
                 << "; weights must be finite";
      continue;
    }
    if (auto mask = dyn_cast<snn::MaskOp>(op)) {
      if (!mask.getWeight().getDefiningOp<arith::ConstantOp>() ||
          !mask.getMask().getDefiningOp<arith::ConstantOp>())
        return mask.emitOpError()
               << "weight and mask must both be arith.constant values";
      continue;
    }
    if (failed(verifyParameters(&op)) || failed(verifyFormatPattern(&op)))
      return failure();
    if (isa<snn::SparseNNDialect>(op.getDialect()) ||
        isa<func::ReturnOp>(op))
      continue;
    return op.emitOpError() << "is not supported in an snn network (only "
                               "snn ops, arith.constant and func.return)";
  }
  return success();
}
