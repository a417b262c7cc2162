//===- FoldBatchNorm.cpp - snn-fold-batchnorm -------------------*- C++ -*-===//
//
// Part of sparsec. Inference batchnorm is a per-channel affine map
// y = x * s + t with s = scale / sqrt(var + eps), t = shift - mean * s. After a
// dense or conv2d layer whose every output unit o is w_o . x + b_o, it folds
// into the layer: w_o *= s_o, b_o = b_o * s_o + t_o.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"


#include <cmath>

namespace sparsec::snn {
#define GEN_PASS_DEF_SNNFOLDBATCHNORMPASS
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"
} // namespace sparsec::snn

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

namespace {

/// batchnorm(dense or conv2d) -> dense or conv2d with scaled weight and bias,
/// when nothing else reads the layer's unnormalised output.
struct FoldIntoProducer : public OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *layer = bn.getInput().getDefiningOp();
    if (!layer || !isAffineLayer(layer) || !layer->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use "
                                             "dense or conv2d");
    FailureOr<RawWeight> w = readRawWeight(layerWeight(layer));
    if (failed(w))
      return failure();
    int64_t units = w->rows();
    FailureOr<std::vector<float>> bias =
        readBiasOrZeros(layerBias(layer), units);
    FailureOr<std::vector<float>> scale = readF32Constant(bn.getScale());
    FailureOr<std::vector<float>> shift = readF32Constant(bn.getShift());
    FailureOr<std::vector<float>> mean = readF32Constant(bn.getMean());
    FailureOr<std::vector<float>> var = readF32Constant(bn.getVar());
    if (failed(bias) || failed(scale) || failed(shift) ||
        failed(mean) || failed(var))
      return failure();
    double eps = bn.getEpsilonValue();
    int64_t row = w->rowLength();
    std::vector<float> newBias(units);
    for (int64_t o = 0; o < units; ++o) {
      // The executor evaluates batchnorm in double from the float input; do
      // the same so that folding changes as little as possible.
      double s = double((*scale)[o]) / std::sqrt(double((*var)[o]) + eps);
      for (int64_t i = o * row; i < (o + 1) * row; ++i)
        w->values[i] = static_cast<float>(double(w->values[i]) * s);
      newBias[o] = static_cast<float>((double((*bias)[o]) - (*mean)[o]) * s +
                                      (*shift)[o]);
    }
    rewriter.setInsertionPoint(layer);
    Location loc = layer->getLoc();
    Value weight = buildWeight(rewriter, loc, *w);
    Value b = buildF32Constant(rewriter, loc, {units}, newBias);
    rewriter.modifyOpInPlace(layer, [&] {
      layer->setOperands({layerInput(layer), weight, b});
    });
    rewriter.replaceOp(bn, layer->getResults());
    return success();
  }
};

struct FoldBatchNormPass
    : public ::sparsec::snn::impl::SNNFoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (failed(verifyNetwork(fn)))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoProducer>(&getContext());
    if (failed(applyToOps<BatchNormOp>(fn, std::move(patterns))))
      return signalPassFailure();
    eraseUnusedWeights(fn);
  }
};

} // namespace
