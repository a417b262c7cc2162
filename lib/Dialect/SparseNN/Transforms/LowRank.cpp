//===- LowRank.cpp - snn-low-rank: factor dense layers ----------*- C++ -*-===//
//
// Part of sparsec. W (M x K) ~ U_r S_r V_r^T, so dense(x, W, b) becomes
// dense(dense(x, V_r^T), U_r S_r, b): r * (M + K) multiply-accumulates per
// row instead of nnz(W). The SVD is one-sided Jacobi (Hestenes) in double:
// rotate pairs of columns until all are orthogonal; their norms are the
// singular values. Simple, accurate, O(sweeps * n^2 * m).
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sparsec::snn {
#define GEN_PASS_DEF_SNNLOWRANKPASS
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"
} // namespace sparsec::snn

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

namespace {

/// Weights whose smaller dimension exceeds this are left alone: the Jacobi
/// sweeps would take minutes.
constexpr int64_t kMaxSvdDim = 1024;

/// A = U diag(S) V^T for A (m x n, row-major, m >= n). U is m x n and V is
/// n x n, both column-major; S is descending.
struct Svd {
  std::vector<double> u, s, v;
};

Svd jacobiSvd(const std::vector<double> &a, int64_t m, int64_t n) {
  Svd r;
  r.u.resize(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      r.u[j * m + i] = a[i * n + j];
  r.v.assign(n * n, 0.0);
  for (int64_t j = 0; j < n; ++j)
    r.v[j * n + j] = 1.0;
  constexpr double eps = 1e-15;
  for (int sweep = 0; sweep < 60; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        double *up = &r.u[p * m], *uq = &r.u[q * m];
        double alpha = 0, beta = 0, gamma = 0;
        for (int64_t i = 0; i < m; ++i) {
          alpha += up[i] * up[i];
          beta += uq[i] * uq[i];
          gamma += up[i] * uq[i];
        }
        if (gamma == 0.0 || std::fabs(gamma) <= eps * std::sqrt(alpha * beta))
          continue;
        rotated = true;
        double zeta = (beta - alpha) / (2.0 * gamma);
        double t = (zeta >= 0 ? 1.0 : -1.0) /
                   (std::fabs(zeta) + std::sqrt(1.0 + zeta * zeta));
        double c = 1.0 / std::sqrt(1.0 + t * t), s = c * t;
        for (int64_t i = 0; i < m; ++i) {
          double x = up[i], y = uq[i];
          up[i] = c * x - s * y;
          uq[i] = s * x + c * y;
        }
        double *vp = &r.v[p * n], *vq = &r.v[q * n];
        for (int64_t i = 0; i < n; ++i) {
          double x = vp[i], y = vq[i];
          vp[i] = c * x - s * y;
          vq[i] = s * x + c * y;
        }
      }
    if (!rotated)
      break;
  }
  // Column norms are the singular values; sort them descending.
  std::vector<double> norms(n);
  for (int64_t j = 0; j < n; ++j) {
    double ss = 0;
    for (int64_t i = 0; i < m; ++i)
      ss += r.u[j * m + i] * r.u[j * m + i];
    norms[j] = std::sqrt(ss);
  }
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return norms[x] > norms[y]; });
  Svd sorted;
  sorted.u.resize(m * n);
  sorted.v.resize(n * n);
  for (int64_t k = 0; k < n; ++k) {
    int64_t j = order[k];
    double sigma = norms[j];
    sorted.s.push_back(sigma);
    for (int64_t i = 0; i < m; ++i)
      sorted.u[k * m + i] = sigma > 0 ? r.u[j * m + i] / sigma : 0.0;
    std::copy_n(&r.v[j * n], n, &sorted.v[k * n]);
  }
  return sorted;
}

/// dense(x, W, b) -> dense(dense(x, Vt), U S, b) when the rank saves MACs.
struct Factor : public OpRewritePattern<DenseOp> {
  Factor(MLIRContext *ctx, double energy, int64_t rank)
      : OpRewritePattern(ctx), energy(energy), rank(rank) {}

  LogicalResult matchAndRewrite(DenseOp op,
                                PatternRewriter &rewriter) const override {
    // The layers this pattern creates are marked so as not to factor them
    // again.
    if (op->hasAttr("snn.low_rank"))
      return failure();
    FailureOr<RawWeight> w = readRawWeight(op.getWeight());
    if (failed(w))
      return failure();
    int64_t rows = w->rows(), cols = w->rowLength();
    int64_t small = std::min(rows, cols);
    int64_t nonzeros = w->nonzeros();
    // Even rank 1 must beat the nonzeros.
    if (rows + cols >= nonzeros)
      return rewriter.notifyMatchFailure(op, "no rank saves MACs");
    if (small > kMaxSvdDim) {
      op.emitWarning() << "snn-low-rank: not factoring the " << rows << "x"
                       << cols << " weight; the SVD is limited to weights "
                       << "with a dimension of at most " << kMaxSvdDim;
      return failure();
    }
    // Work on the tall orientation: A = W or W^T with m >= n.
    bool transposed = rows < cols;
    int64_t m = std::max(rows, cols), n = small;
    std::vector<double> a(m * n);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        double x = w->effective(i * cols + j);
        if (transposed)
          a[j * n + i] = x;
        else
          a[i * n + j] = x;
      }
    Svd svd = jacobiSvd(a, m, n);

    int64_t r = rank;
    if (r == 0) {
      double total = 0.0;
      for (double s : svd.s)
        total += s * s;
      // A relative slack of 1e-12 lets energy = 1 drop singular values that
      // are only float rounding of the stored weight.
      double goal = (energy - 1e-12) * total, kept = 0.0;
      r = 0;
      while (r < n && kept < goal)
        kept += svd.s[r] * svd.s[r], ++r;
      r = std::max<int64_t>(r, 1);
    }
    r = std::min(r, n);
    if (r * (rows + cols) >= nonzeros)
      return rewriter.notifyMatchFailure(op, "the rank saves no MACs");

    // W = L R with L = U S (rows x r) and R = V^T (r x cols), or, when A was
    // W^T = U S V^T, L = V and R = S U^T.
    std::vector<float> left(rows * r), right(r * cols);
    for (int64_t k = 0; k < r; ++k) {
      double sigma = svd.s[k];
      for (int64_t i = 0; i < rows; ++i)
        left[i * r + k] = static_cast<float>(
            transposed ? svd.v[k * n + i] : svd.u[k * m + i] * sigma);
      for (int64_t j = 0; j < cols; ++j)
        right[k * cols + j] = static_cast<float>(
            transposed ? svd.u[k * m + j] * sigma : svd.v[k * n + j]);
    }
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    Value rightW = buildF32Constant(rewriter, loc, {r, cols}, right);
    int64_t batch = op.getType().getDimSize(0);
    auto midType = RankedTensorType::get({batch, r}, rewriter.getF32Type());
    auto inner = rewriter.create<DenseOp>(loc, midType, op.getInput(), rightW,
                                          Value(), FormatAttr());
    inner->setAttr("snn.low_rank", rewriter.getUnitAttr());
    Value leftW = buildF32Constant(rewriter, loc, {rows, r}, left);
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(inner);
      op.getWeightMutable().assign(leftW);
      op->removeAttr("format");
      op->removeAttr("snn.cost");
      op->setAttr("snn.low_rank", rewriter.getUnitAttr());
    });
    return success();
  }

  double energy;
  int64_t rank;
};

struct LowRankPass
    : public ::sparsec::snn::impl::SNNLowRankPassBase<LowRankPass> {
  using SNNLowRankPassBase::SNNLowRankPassBase;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (!(energy > 0.0 && energy <= 1.0)) {
      fn.emitError() << "snn-low-rank: energy must be in (0, 1], but is "
                     << double(energy);
      return signalPassFailure();
    }
    if (rank < 0) {
      fn.emitError() << "snn-low-rank: rank must be positive (or 0 to choose "
                        "it from energy), but is "
                     << int64_t(rank);
      return signalPassFailure();
    }
    if (failed(verifyNetwork(fn)))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<Factor>(&getContext(), energy, rank);
    if (failed(applyToOps<DenseOp>(fn, std::move(patterns))))
      return signalPassFailure();
    fn.walk([](DenseOp op) { op->removeAttr("snn.low_rank"); });
    eraseUnusedWeights(fn);
  }
};

} // namespace
