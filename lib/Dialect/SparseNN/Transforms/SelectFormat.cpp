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

#include "sparsec/Dialect/SparseNN/Transforms/CostModel.h"
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"

#include <cmath>

namespace sparsec::snn {
#define GEN_PASS_DEF_SNNSELECTFORMATPASS
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"
} // namespace sparsec::snn

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

namespace {

/// Each option starts from the CostModel default, so the struct stays the
/// one place the constants are written.
struct SelectFormatPass
    : public ::sparsec::snn::impl::SNNSelectFormatPassBase<SelectFormatPass> {
  SelectFormatPass() = default;
  SelectFormatPass(const SelectFormatPass &other)
      : SNNSelectFormatPassBase(other) {}

  void runOnOperation() override;

  Option<double> csrEfficiency{
      *this, "csr-efficiency",
      llvm::cl::desc("csr speed relative to dense is this / density"),
      llvm::cl::init(CostModel().csrEfficiency)};
  Option<double> nmEfficiency{
      *this, "nm-efficiency",
      llvm::cl::desc("N:M speed relative to dense is this x M / N"),
      llvm::cl::init(CostModel().nmEfficiency)};
  Option<double> blockEfficiency{
      *this, "block-efficiency",
      llvm::cl::desc("Block speed relative to dense is this / (stored "
                     "fraction)"),
      llvm::cl::init(CostModel().blockEfficiency)};
  Option<double> spmvEfficiency{
      *this, "spmv-efficiency",
      llvm::cl::desc("Fraction of the memory-bound csr speedup reached by "
                     "narrow dense layers"),
      llvm::cl::init(CostModel().spmvEfficiency)};
  Option<double> minSpeedup{
      *this, "min-speedup",
      llvm::cl::desc("A sparse format must be estimated at least this fast"),
      llvm::cl::init(CostModel().minSpeedup)};
  Option<int64_t> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("f32 lanes of the target's vectors (AVX2 8, AVX-512 "
                     "16, NEON 4)"),
      llvm::cl::init(CostModel().vectorWidth)};
};

void SelectFormatPass::runOnOperation() {
  func::FuncOp fn = getOperation();
  if (failed(verifyNetwork(fn)))
    return signalPassFailure();
  CostModel model;
  model.csrEfficiency = csrEfficiency;
  model.nmEfficiency = nmEfficiency;
  model.blockEfficiency = blockEfficiency;
  model.spmvEfficiency = spmvEfficiency;
  model.minSpeedup = minSpeedup;
  model.vectorWidth = vectorWidth;
  for (auto [name, v] : {std::pair{"csr-efficiency", model.csrEfficiency},
                         {"nm-efficiency", model.nmEfficiency},
                         {"block-efficiency", model.blockEfficiency},
                         {"spmv-efficiency", model.spmvEfficiency}})
    if (!(v > 0.0) || std::isinf(v)) {
      fn.emitError() << "snn-select-format: option '" << name
                     << "' must be positive and finite, but is " << v;
      return signalPassFailure();
    }
  if (model.vectorWidth < 1) {
    fn.emitError() << "snn-select-format: option 'vector-width' must be "
                      "positive, but is "
                   << model.vectorWidth;
    return signalPassFailure();
  }

  for (Operation &op : fn.getBody().front()) {
    if (!isAffineLayer(&op))
      continue;
    FailureOr<FormatChoice> choice = chooseFormat(&op, model);
    if (failed(choice))
      return signalPassFailure();
    op.setAttr("format", choice->format);
    op.setAttr("snn.cost", costAttr(fn.getContext(), *choice));
  }
}

} // namespace
