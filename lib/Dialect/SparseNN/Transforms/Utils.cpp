//===- Utils.cpp - Reading and rebuilding weights in passes -----*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "sparsec/Network/Network.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

/// Tensors up to this many elements are printed inline; their values are what
/// the lit tests check. Larger ones become blobs, which print compactly.
static constexpr int64_t kInlineElements = 1024;

std::vector<float> RawWeight::effectiveValues() const {
  std::vector<float> out(values);
  if (mask)
    for (size_t i = 0; i < out.size(); ++i)
      if (!(*mask)[i])
        out[i] = 0.0f;
  return out;
}

int64_t RawWeight::nonzeros() const {
  int64_t n = 0;
  for (int64_t i = 0; i < size(); ++i)
    n += effective(i) != 0.0f;
  return n;
}

FailureOr<RawWeight> sparsec::snn::readRawWeight(Value v) {
  FailureOr<Weight> stored = readStoredWeight(v);
  if (failed(stored))
    return failure();
  RawWeight w;
  w.shape = std::move(stored->shape);
  w.values = std::move(stored->values);
  w.mask = std::move(stored->mask);
  return w;
}

FailureOr<std::vector<float>> sparsec::snn::readBiasOrZeros(Value bias,
                                                            int64_t n) {
  if (!bias)
    return std::vector<float>(n, 0.0f);
  FailureOr<RawWeight> b = readRawWeight(bias);
  if (failed(b))
    return failure();
  return b->effectiveValues();
}

Value sparsec::snn::buildF32Constant(OpBuilder &b, Location loc,
                                     ArrayRef<int64_t> shape,
                                     ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  Attribute attr;
  if (static_cast<int64_t>(values.size()) <= kInlineElements)
    attr = DenseElementsAttr::get(type, values);
  else
    attr = DenseResourceElementsAttr::get(
        type, "w", HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  return b.create<arith::ConstantOp>(loc, type, cast<TypedAttr>(attr));
}

Value sparsec::snn::buildMaskConstant(OpBuilder &b, Location loc,
                                      ArrayRef<int64_t> shape,
                                      ArrayRef<uint8_t> mask) {
  auto type = RankedTensorType::get(shape, b.getI1Type());
  Attribute attr;
  if (static_cast<int64_t>(mask.size()) <= kInlineElements) {
    SmallVector<bool> bits(mask.begin(), mask.end());
    attr = DenseElementsAttr::get(type, bits);
  } else {
    // An i1 blob holds one byte (0 or 1) per element.
    attr = DenseResourceElementsAttr::get(
        type, "m", HeapAsmResourceBlob::allocateAndCopyInferAlign(mask));
  }
  return b.create<arith::ConstantOp>(loc, type, cast<TypedAttr>(attr));
}

Value sparsec::snn::buildWeight(OpBuilder &b, Location loc,
                                const RawWeight &w) {
  Value values = buildF32Constant(b, loc, w.shape, w.values);
  if (!w.mask || llvm::all_of(*w.mask, [](uint8_t m) { return m != 0; }))
    return values;
  Value mask = buildMaskConstant(b, loc, w.shape, *w.mask);
  return b.create<MaskOp>(loc, values.getType(), values, mask);
}

LogicalResult sparsec::snn::retypeResult(Operation *op) {
  FailureOr<SmallVector<int64_t>> shape = inferResultShape(op);
  if (failed(shape))
    return failure();
  Value result = op->getResult(0);
  auto type = cast<RankedTensorType>(result.getType());
  result.setType(type.clone(*shape));
  return success();
}

void sparsec::snn::updateFunctionType(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  fn.setFunctionType(FunctionType::get(fn.getContext(), body.getArgumentTypes(),
                                       ret.getOperandTypes()));
}

void sparsec::snn::eraseUnusedWeights(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  // Reverse order erases a mask before the constants it reads.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (isa<arith::ConstantOp, MaskOp>(op) && op.use_empty())
      op.erase();
}
