//===- SelectFormat.cpp - snn-select-format: a kernel per layer --*- C++ -*-===//
//
// Part of sparsec. Profiles every dense and conv2d weight, asks the cost
// model for each candidate format's speed, and records the decision in the
// inherent `format` attribute (what code generation reads) and the inputs and
// estimates in the discardable `snn.cost` dictionary (what tests and people
// read).
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"

#include "mlir/IR/Builders.h"

#include <cmath>

namespace sparsec::snn {
#define GEN_PASS_DEF_SNNSELECTFORMATPASS
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"
} // namespace sparsec::snn

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

namespace {

/// Rounds an estimate to three decimals so that the attribute reads well.
double rounded(double v) { return std::round(v * 1000.0) / 1000.0; }

/// The `snn.cost` dictionary: what the model saw and what it estimated.
DictionaryAttr costAttr(Builder &b, const LayerProfile &p,
                        const FormatEstimates &e) {
  SmallVector<NamedAttribute> speed = {
      b.getNamedAttr("dense", b.getF64FloatAttr(rounded(e.dense))),
      b.getNamedAttr("csr", b.getF64FloatAttr(rounded(e.csr)))};
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("rows", b.getI64IntegerAttr(p.rows)),
      b.getNamedAttr("row_length", b.getI64IntegerAttr(p.rowLength)),
      b.getNamedAttr("columns", b.getI64IntegerAttr(p.columns)),
      b.getNamedAttr("nonzeros", b.getI64IntegerAttr(p.nonzeros)),
      b.getNamedAttr("sparsity",
                     b.getF64FloatAttr(rounded(1.0 - p.density())))};
  if (p.nmM) {
    fields.push_back(b.getNamedAttr("nm", b.getDenseI64ArrayAttr(
                                              {p.nmN, p.nmM})));
    speed.push_back(b.getNamedAttr("nm", b.getF64FloatAttr(rounded(e.nm))));
  }
  if (p.blockRows) {
    fields.push_back(b.getNamedAttr(
        "block", b.getDenseI64ArrayAttr({p.blockRows, p.blockCols})));
    fields.push_back(
        b.getNamedAttr("block_stored", b.getI64IntegerAttr(p.blockStored)));
    speed.push_back(
        b.getNamedAttr("block", b.getF64FloatAttr(rounded(e.block))));
  }
  fields.push_back(b.getNamedAttr("speedup", b.getDictionaryAttr(speed)));
  return b.getDictionaryAttr(fields);
}

/// Each option starts from the CostModel default, so the struct stays the
/// one place the constants are written.
struct SelectFormatPass
    : public ::sparsec::snn::impl::SNNSelectFormatPassBase<SelectFormatPass> {
  SelectFormatPass() = default;
  SelectFormatPass(const SelectFormatPass &other) : SNNSelectFormatPassBase(other) {}
  explicit SelectFormatPass(const CostModel &m) {
    csrEfficiency = m.csrEfficiency;
    structuredEfficiency = m.structuredEfficiency;
    spmvEfficiency = m.spmvEfficiency;
    narrowTileFactor = m.narrowTileFactor;
    wideTile = m.wideTile;
    memoryBoundBelow = m.memoryBoundBelow;
    minSpeedup = m.minSpeedup;
  }

  void runOnOperation() override;

  Option<double> csrEfficiency{
      *this, "csr-efficiency",
      llvm::cl::desc("CSR speed relative to dense is this / (1 - sparsity)"),
      llvm::cl::init(CostModel().csrEfficiency)};
  Option<double> structuredEfficiency{
      *this, "structured-efficiency",
      llvm::cl::desc("N:M and block speed relative to dense is this / "
                     "(stored fraction)"),
      llvm::cl::init(CostModel().structuredEfficiency)};
  Option<double> spmvEfficiency{
      *this, "spmv-efficiency",
      llvm::cl::desc("Fraction of the memory-bound CSR speedup reached"),
      llvm::cl::init(CostModel().spmvEfficiency)};
  Option<double> narrowTileFactor{
      *this, "narrow-tile-factor",
      llvm::cl::desc("Speed factor when the dense dimension is narrower "
                     "than wide-tile"),
      llvm::cl::init(CostModel().narrowTileFactor)};
  Option<int64_t> wideTile{*this, "wide-tile",
                           llvm::cl::desc("Width of the full-speed tile"),
                           llvm::cl::init(CostModel().wideTile)};
  Option<int64_t> memoryBoundBelow{
      *this, "memory-bound-below",
      llvm::cl::desc("Dense dimensions below this are memory-bound"),
      llvm::cl::init(CostModel().memoryBoundBelow)};
  Option<double> minSpeedup{
      *this, "min-speedup",
      llvm::cl::desc("A sparse format must be estimated faster than this"),
      llvm::cl::init(CostModel().minSpeedup)};
};

void SelectFormatPass::runOnOperation() {
  func::FuncOp fn = getOperation();
  if (failed(verifyNetwork(fn)))
    return signalPassFailure();
  CostModel model;
  model.csrEfficiency = csrEfficiency;
  model.structuredEfficiency = structuredEfficiency;
  model.spmvEfficiency = spmvEfficiency;
  model.narrowTileFactor = narrowTileFactor;
  model.wideTile = wideTile;
  model.memoryBoundBelow = memoryBoundBelow;
  model.minSpeedup = minSpeedup;
  for (auto [name, v] : {std::pair{"csr-efficiency", model.csrEfficiency},
                         {"structured-efficiency", model.structuredEfficiency},
                         {"spmv-efficiency", model.spmvEfficiency},
                         {"narrow-tile-factor", model.narrowTileFactor}})
    if (!(v > 0.0) || std::isinf(v)) {
      fn.emitError() << "snn-select-format: option '" << name
                     << "' must be positive and finite, but is " << v;
      return signalPassFailure();
    }

  Builder b(fn.getContext());
  for (Operation &op : fn.getBody().front()) {
    if (!isAffineLayer(&op))
      continue;
    FailureOr<RawWeight> w = readRawWeight(layerWeight(&op));
    if (failed(w))
      return signalPassFailure();
    ArrayRef<int64_t> out =
        cast<ShapedType>(op.getResult(0).getType()).getShape();
    int64_t columns = out[0];
    for (int64_t d : out.drop_front(2))
      columns *= d;
    LayerProfile profile = profileWeight(w->effectiveValues(), w->rows(),
                                         w->rowLength(), columns, model);
    FormatEstimates estimates = model.estimate(profile);
    op.setAttr("format", model.choose(fn.getContext(), profile, estimates));
    op.setAttr("snn.cost", costAttr(b, profile, estimates));
  }
}

} // namespace

std::unique_ptr<Pass>
sparsec::snn::createSNNSelectFormatPass(const CostModel &model) {
  return std::make_unique<SelectFormatPass>(model);
}
