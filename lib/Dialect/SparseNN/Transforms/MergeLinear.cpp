//===- MergeLinear.cpp - snn-merge-linear -----------------------*- C++ -*-===//
//
// Part of sparsec. Two affine layers in a row are one affine layer. For dense
// layers the merged weight is W2 * W1 and the bias W2 * b1 + b2. For conv2d
// layers (ungrouped, the second unpadded) the second reads the first's output
// at j*s2 + b*d2, which reads the padded input at (j*s2 + b*d2)*s1 + a*d1:
// one conv2d with stride s1*s2, the first's padding, and a kernel of extent
// s1*d2*(k2-1) + d1*(k1-1) + 1 holding sum_b,a W2[b] W1[a] at s1*d2*b + d1*a.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"

namespace sparsec::snn {
#define GEN_PASS_DEF_SNNMERGELINEARPASS
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"
} // namespace sparsec::snn

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

namespace {

/// The layer feeding `layer` through ops that are the identity in inference
/// (dropout, flatten of an N x F value), with nothing else reading any of
/// them; null if there is none.
Operation *singleUseProducer(Operation *layer,
                             SmallVectorImpl<Operation *> &between) {
  Value v = layerInput(layer);
  while (Operation *def = v.getDefiningOp()) {
    if (!def->hasOneUse())
      return nullptr;
    if (isa<DropoutOp>(def) ||
        (isa<FlattenOp>(def) &&
         cast<ShapedType>(def->getOperand(0).getType()).getRank() == 2)) {
      between.push_back(def);
      v = def->getOperand(0);
      continue;
    }
    return def->getName() == layer->getName() ? def : nullptr;
  }
  return nullptr;
}

/// A merged layer: weight values (masked where no product term survives),
/// bias, and the multiply-accumulates before and after.
struct Merged {
  RawWeight weight;
  std::vector<float> bias;
  int64_t macsBefore = 0, macsAfter = 0;
};

/// Replaces `second` by the merged layer reading `first`'s input, unless the
/// merge costs MACs and `always` is off.
LogicalResult commit(PatternRewriter &rewriter, Operation *first,
                     Operation *second, ArrayRef<Operation *> between,
                     const Merged &m, bool always,
                     llvm::function_ref<void()> setAttrs) {
  if (!always && m.macsAfter >= m.macsBefore)
    return rewriter.notifyMatchFailure(second, "merging saves no MACs");
  rewriter.setInsertionPoint(second);
  Location loc = second->getLoc();
  Value weight = buildWeight(rewriter, loc, m.weight);
  Value bias = buildF32Constant(
      rewriter, loc, {static_cast<int64_t>(m.bias.size())}, m.bias);
  rewriter.modifyOpInPlace(second, [&] {
    second->setOperands({layerInput(first), weight, bias});
    second->removeAttr("format");
    second->removeAttr("snn.cost");
    setAttrs();
  });
  for (Operation *op : between)
    rewriter.eraseOp(op);
  rewriter.eraseOp(first);
  return success();
}

/// dense(dense(x, W1, b1), W2, b2) -> dense(x, W2 W1, W2 b1 + b2).
struct MergeDense : public OpRewritePattern<DenseOp> {
  MergeDense(MLIRContext *ctx, bool always)
      : OpRewritePattern(ctx), always(always) {}

  LogicalResult matchAndRewrite(DenseOp second,
                                PatternRewriter &rewriter) const override {
    SmallVector<Operation *> between;
    Operation *first = singleUseProducer(second, between);
    if (!first)
      return rewriter.notifyMatchFailure(second, "no single-use dense input");
    FailureOr<RawWeight> w1 = readRawWeight(layerWeight(first));
    FailureOr<RawWeight> w2 = readRawWeight(layerWeight(second));
    if (failed(w1) || failed(w2))
      return failure();
    int64_t m1 = w1->rows(), k1 = w1->rowLength(), m2 = w2->rows();
    FailureOr<std::vector<float>> b1 = readBiasOrZeros(layerBias(first), m1);
    FailureOr<std::vector<float>> b2 =
        readBiasOrZeros(layerBias(second), m2);
    if (failed(b1) || failed(b2))
      return failure();
    int64_t n = cast<ShapedType>(second.getType()).getDimSize(0);

    Merged m;
    m.weight.shape = {m2, k1};
    m.weight.values.assign(m2 * k1, 0.0f);
    m.weight.mask = std::vector<uint8_t>(m2 * k1, 0);
    std::vector<double> row(k1);
    for (int64_t o = 0; o < m2; ++o) {
      std::fill(row.begin(), row.end(), 0.0);
      double bias = (*b2)[o];
      for (int64_t j = 0; j < m1; ++j) {
        float a = w2->effective(o * m1 + j);
        if (a == 0.0f)
          continue;
        bias += double(a) * (*b1)[j];
        for (int64_t k = 0; k < k1; ++k) {
          float b = w1->effective(j * k1 + k);
          if (b == 0.0f)
            continue;
          row[k] += double(a) * b;
          (*m.weight.mask)[o * k1 + k] = 1;
        }
      }
      for (int64_t k = 0; k < k1; ++k)
        m.weight.values[o * k1 + k] = static_cast<float>(row[k]);
      m.bias.push_back(static_cast<float>(bias));
    }
    m.macsBefore = n * (w1->nonzeros() + w2->nonzeros());
    m.macsAfter = n * llvm::count(*m.weight.mask, 1);
    return commit(rewriter, first, second, between, m, always, [] {});
  }

  bool always;
};

/// conv2d(conv2d(x, W1, b1), W2, b2) -> one conv2d, when both are ungrouped
/// and the second has no padding (it would pad the first's output with
/// zeros, which the merged layer cannot reproduce).
struct MergeConv : public OpRewritePattern<Conv2DOp> {
  MergeConv(MLIRContext *ctx, bool always)
      : OpRewritePattern(ctx), always(always) {}

  LogicalResult matchAndRewrite(Conv2DOp second,
                                PatternRewriter &rewriter) const override {
    SmallVector<Operation *> between;
    auto first = dyn_cast_or_null<Conv2DOp>(singleUseProducer(second, between));
    if (!first)
      return rewriter.notifyMatchFailure(second, "no single-use conv2d input");
    if (first.getGroupCount() != 1 || second.getGroupCount() != 1)
      return rewriter.notifyMatchFailure(second, "grouped convolution");
    if (llvm::any_of(second.getPaddingValues(), [](int64_t p) { return p; }))
      return rewriter.notifyMatchFailure(second, "second conv2d is padded");
    FailureOr<RawWeight> w1 = readRawWeight(first.getWeight());
    FailureOr<RawWeight> w2 = readRawWeight(second.getWeight());
    if (failed(w1) || failed(w2))
      return failure();
    int64_t o1 = w1->shape[0], c = w1->shape[1], k1h = w1->shape[2],
            k1w = w1->shape[3];
    int64_t o2 = w2->shape[0], k2h = w2->shape[2], k2w = w2->shape[3];
    auto [s1h, s1w] = first.getStrideValues();
    auto [d1h, d1w] = first.getDilationValues();
    auto [s2h, s2w] = second.getStrideValues();
    auto [d2h, d2w] = second.getDilationValues();
    int64_t kh = s1h * d2h * (k2h - 1) + d1h * (k1h - 1) + 1;
    int64_t kw = s1w * d2w * (k2w - 1) + d1w * (k1w - 1) + 1;
    FailureOr<std::vector<float>> b1 = readBiasOrZeros(first.getBias(), o1);
    FailureOr<std::vector<float>> b2 = readBiasOrZeros(second.getBias(), o2);
    if (failed(b1) || failed(b2))
      return failure();

    // The merged layer must produce exactly the second's output positions.
    ArrayRef<int64_t> in = cast<ShapedType>(first.getInput().getType()).getShape();
    ArrayRef<int64_t> out = second.getType().getShape();
    auto pad = first.getPaddingValues();
    if (windowOutputSize(in[2], pad[0], pad[2], kh, s1h * s2h, 1, false) !=
            out[2] ||
        windowOutputSize(in[3], pad[1], pad[3], kw, s1w * s2w, 1, false) !=
            out[3])
      return rewriter.notifyMatchFailure(second, "output sizes differ");

    Merged m;
    m.weight.shape = {o2, c, kh, kw};
    int64_t size = o2 * c * kh * kw;
    std::vector<double> acc(size, 0.0);
    m.weight.mask = std::vector<uint8_t>(size, 0);
    for (int64_t p = 0; p < o2; ++p) {
      double bias = (*b2)[p];
      for (int64_t q = 0; q < o1; ++q)
        for (int64_t by = 0; by < k2h; ++by)
          for (int64_t bx = 0; bx < k2w; ++bx) {
            float a = w2->effective(((p * o1 + q) * k2h + by) * k2w + bx);
            if (a == 0.0f)
              continue;
            bias += double(a) * (*b1)[q];
            for (int64_t ch = 0; ch < c; ++ch)
              for (int64_t ay = 0; ay < k1h; ++ay)
                for (int64_t ax = 0; ax < k1w; ++ax) {
                  float b =
                      w1->effective(((q * c + ch) * k1h + ay) * k1w + ax);
                  if (b == 0.0f)
                    continue;
                  int64_t y = s1h * d2h * by + d1h * ay;
                  int64_t x = s1w * d2w * bx + d1w * ax;
                  int64_t at = ((p * c + ch) * kh + y) * kw + x;
                  acc[at] += double(a) * b;
                  (*m.weight.mask)[at] = 1;
                }
          }
      m.bias.push_back(static_cast<float>(bias));
    }
    m.weight.values.assign(acc.begin(), acc.end());
    int64_t pos1 = numElements(first.getType().getShape()) / o1;
    int64_t pos2 = numElements(out) / o2;
    m.macsBefore = pos1 * w1->nonzeros() + pos2 * w2->nonzeros();
    m.macsAfter = pos2 * llvm::count(*m.weight.mask, 1);
    Builder b(second.getContext());
    auto strides = b.getDenseI64ArrayAttr({s1h * s2h, s1w * s2w});
    auto padding = b.getDenseI64ArrayAttr(pad);
    return commit(rewriter, first, second, between, m, always, [&] {
      second.setStridesAttr(strides);
      second.setPaddingAttr(padding);
      second.removeDilationsAttr();
      second.removeGroupsAttr();
    });
  }

  bool always;
};

struct MergeLinearPass
    : public ::sparsec::snn::impl::SNNMergeLinearPassBase<MergeLinearPass> {
  using SNNMergeLinearPassBase::SNNMergeLinearPassBase;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (failed(verifyNetwork(fn)))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeDense, MergeConv>(&getContext(), always);
    if (failed(applyToOps<DenseOp, Conv2DOp>(fn, std::move(patterns))))
      return signalPassFailure();
    eraseUnusedWeights(fn);
  }
};

} // namespace
