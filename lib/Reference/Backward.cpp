//===- Backward.cpp - Gradients through the reference executor --*- C++ -*-===//
//
// Part of sparsec. Reverse-mode differentiation of a network evaluated by
// `Executor::run`: one function per op, mirroring the forward loops, summing
// in double. It serves Taylor-saliency pruning, so it must agree with finite
// differences of the forward pass (test/Reference/gradients.mlir checks it).
//
//===----------------------------------------------------------------------===//

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"
#include "sparsec/Reference/Executor.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::ref;

namespace {

/// A gradient being summed in double; converted to a float Tensor at the end.
struct Accumulator {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<double> data;
};

/// Where each op's operand gradients go: the accumulators of the operands.
/// They are heap-allocated so that references stay valid while others are
/// added.
class Gradients {
public:
  /// The accumulator of `v`, created zero-filled in `v`'s shape on first use.
  std::vector<double> &of(Value v) {
    std::unique_ptr<Accumulator> &acc = grads[v];
    if (!acc) {
      acc = std::make_unique<Accumulator>();
      ArrayRef<int64_t> shape = cast<ShapedType>(v.getType()).getShape();
      acc->shape.assign(shape.begin(), shape.end());
      acc->data.assign(numElements(shape), 0.0);
    }
    return acc->data;
  }
  const std::vector<double> *find(Value v) const {
    auto it = grads.find(v);
    return it == grads.end() ? nullptr : &it->second->data;
  }
  llvm::DenseMap<Value, Tensor> finish() {
    llvm::DenseMap<Value, Tensor> out;
    for (auto &[v, acc] : grads) {
      Tensor t(acc->shape);
      for (size_t i = 0; i < acc->data.size(); ++i)
        t.data[i] = static_cast<float>(acc->data[i]);
      out[v] = std::move(t);
    }
    return out;
  }

private:
  llvm::DenseMap<Value, std::unique_ptr<Accumulator>> grads;
};

void denseBackward(snn::DenseOp op, const std::vector<double> &gy,
                   const Tensor &x, const Tensor &w, Gradients &g) {
  int64_t n = x.dim(0), k = x.dim(1), m = w.dim(0);
  std::vector<double> &gx = g.of(op.getInput());
  std::vector<double> &gw = g.of(op.getWeight());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < m; ++o) {
      double d = gy[i * m + o];
      if (d == 0.0)
        continue;
      for (int64_t j = 0; j < k; ++j) {
        gx[i * k + j] += d * w.data[o * k + j];
        gw[o * k + j] += d * x.data[i * k + j];
      }
    }
  if (Value b = op.getBias()) {
    std::vector<double> &gb = g.of(b);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t o = 0; o < m; ++o)
        gb[o] += gy[i * m + o];
  }
}

void convBackward(snn::Conv2DOp op, const std::vector<double> &gy,
                  const Tensor &x, const Tensor &w, Gradients &g) {
  auto [sh, sw] = op.getStrideValues();
  auto [pt, pl, pb, pr] = op.getPaddingValues();
  auto [dh, dw] = op.getDilationValues();
  (void)pb;
  (void)pr;
  int64_t groups = op.getGroupCount();
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  int64_t o = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  int64_t og = o / groups;
  ArrayRef<int64_t> outShape = cast<ShapedType>(op.getType()).getShape();
  int64_t ho = outShape[2], wo = outShape[3];
  std::vector<double> &gx = g.of(op.getInput());
  std::vector<double> &gw = g.of(op.getWeight());
  std::vector<double> *gb = op.getBias() ? &g.of(op.getBias()) : nullptr;
  for (int64_t in = 0; in < n; ++in)
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t grp = oc / og;
      for (int64_t oy = 0; oy < ho; ++oy)
        for (int64_t ox = 0; ox < wo; ++ox) {
          double d = gy[((in * o + oc) * ho + oy) * wo + ox];
          if (d == 0.0)
            continue;
          if (gb)
            (*gb)[oc] += d;
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                int64_t iy = oy * sh - pt + ky * dh;
                int64_t ix = ox * sw - pl + kx * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                  continue;
                int64_t xi = ((in * c + grp * cg + ic) * h + iy) * wd + ix;
                int64_t wi = ((oc * cg + ic) * kh + ky) * kw + kx;
                gx[xi] += d * w.data[wi];
                gw[wi] += d * x.data[xi];
              }
        }
    }
}

/// Mirrors the forward pooling walk: max sends the gradient to the element
/// the forward pass picked, average spreads it over the window's divisor.
template <bool Max, typename PoolOp>
void poolBackward(PoolOp op, const std::vector<double> &gy, const Tensor &x,
                  bool countIncludePad, Gradients &g) {
  auto [kh, kw] = op.getKernelValues();
  auto [sh, sw] = op.getStrideValues();
  auto [pt, pl, pb, pr] = op.getPaddingValues();
  auto [dh, dw] = op.getDilationValues();
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  ArrayRef<int64_t> outShape = cast<ShapedType>(op.getType()).getShape();
  int64_t ho = outShape[2], wo = outShape[3];
  std::vector<double> &gx = g.of(op.getInput());
  for (int64_t plane = 0; plane < n * c; ++plane)
    for (int64_t oy = 0; oy < ho; ++oy)
      for (int64_t ox = 0; ox < wo; ++ox) {
        double d = gy[(plane * ho + oy) * wo + ox];
        int64_t y0 = oy * sh - pt, x0 = ox * sw - pl;
        double best = -std::numeric_limits<double>::infinity();
        int64_t bestAt = -1, valid = 0;
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            int64_t iy = y0 + ky * dh, ix = x0 + kx * dw;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
              continue;
            int64_t at = (plane * h + iy) * wd + ix;
            double v = x.data[at];
            if (bestAt < 0 ||
                (!std::isnan(best) && (std::isnan(v) || v > best))) {
              best = v;
              bestAt = at;
            }
            ++valid;
          }
        if constexpr (Max) {
          if (bestAt >= 0)
            gx[bestAt] += d;
        } else {
          int64_t yEnd = std::min(y0 + kh, h + pb);
          int64_t xEnd = std::min(x0 + kw, wd + pr);
          int64_t divisor =
              countIncludePad ? (yEnd - y0) * (xEnd - x0) : valid;
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t iy = y0 + ky * dh, ix = x0 + kx * dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                continue;
              gx[(plane * h + iy) * wd + ix] += d / double(divisor);
            }
        }
      }
}

void batchnormBackward(snn::BatchNormOp op, const std::vector<double> &gy,
                       const Tensor &x, const Tensor &scale,
                       const Tensor &mean, const Tensor &var, Gradients &g) {
  int64_t n = x.dim(0), c = x.dim(1);
  int64_t inner = x.size() / std::max<int64_t>(n * c, 1);
  double eps = op.getEpsilonValue();
  std::vector<double> &gx = g.of(op.getInput());
  std::vector<double> &gScale = g.of(op.getScale());
  std::vector<double> &gShift = g.of(op.getShift());
  std::vector<double> &gMean = g.of(op.getMean());
  std::vector<double> &gVar = g.of(op.getVar());
  for (int64_t ch = 0; ch < c; ++ch) {
    double inv = 1.0 / std::sqrt(double(var.data[ch]) + eps);
    double s = scale.data[ch];
    double sumG = 0.0, sumGXhat = 0.0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < inner; ++j) {
        int64_t idx = (i * c + ch) * inner + j;
        double d = gy[idx];
        gx[idx] += d * inv * s;
        sumG += d;
        sumGXhat += d * (double(x.data[idx]) - mean.data[ch]) * inv;
      }
    gScale[ch] += sumGXhat;
    gShift[ch] += sumG;
    gMean[ch] += -sumG * inv * s;
    // d/dvar of (x - mean) * (var + eps)^(-1/2) * s.
    gVar[ch] += -0.5 * sumGXhat * s * inv * inv;
  }
}

} // namespace

double sparsec::ref::softmaxCrossEntropy(const Tensor &logits,
                                        ArrayRef<int64_t> targets,
                                        Tensor &grad) {
  int64_t f = logits.shape.back(), rows = logits.size() / f;
  grad = Tensor(logits.shape);
  double loss = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    const float *z = &logits.data[r * f];
    double mx = *std::max_element(z, z + f), sum = 0.0;
    for (int64_t k = 0; k < f; ++k)
      sum += std::exp(double(z[k]) - mx);
    loss += std::log(sum) + mx - z[targets[r]];
    for (int64_t k = 0; k < f; ++k) {
      double p = std::exp(double(z[k]) - mx) / sum;
      grad.data[r * f + k] =
          static_cast<float>((p - (k == targets[r] ? 1.0 : 0.0)) / rows);
    }
  }
  return loss / double(rows);
}

std::vector<int64_t> sparsec::ref::argmaxRows(const Tensor &t) {
  int64_t f = t.shape.back(), rows = t.size() / f;
  std::vector<int64_t> out(rows, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 1; k < f; ++k)
      if (t.data[r * f + k] > t.data[r * f + out[r]])
        out[r] = k;
  return out;
}

FailureOr<llvm::DenseMap<Value, Tensor>>
Executor::backward(Value from, const Tensor &seed) {
  if (!lookup(from))
    return fn.emitOpError() << "backward: the value to differentiate was not "
                               "computed by the last run";
  if (seed.size() != lookup(from)->size())
    return fn.emitOpError() << "backward: the gradient has "
                            << seed.size() << " elements, but the value has "
                            << lookup(from)->size();
  Gradients g;
  {
    std::vector<double> &s = g.of(from);
    for (int64_t i = 0; i < seed.size(); ++i)
      s[i] = seed.data[i];
  }
  auto get = [&](Value v) -> const Tensor & { return values.find(v)->second; };
  Block &body = fn.getBody().front();
  for (Operation &op : llvm::reverse(body)) {
    if (op.getNumResults() != 1)
      continue;
    const std::vector<double> *gyp = g.find(op.getResult(0));
    if (!gyp)
      continue;
    const std::vector<double> &gy = *gyp;
    LogicalResult ok =
        llvm::TypeSwitch<Operation *, LogicalResult>(&op)
            .Case([&](arith::ConstantOp) { return success(); })
            .Case([&](snn::MaskOp o) {
              const Tensor &m = get(o.getMask());
              std::vector<double> &gw = g.of(o.getWeight());
              for (size_t i = 0; i < gy.size(); ++i)
                gw[i] += m.data[i] != 0.0f ? gy[i] : 0.0;
              return success();
            })
            .Case([&](snn::DenseOp o) {
              denseBackward(o, gy, get(o.getInput()), get(o.getWeight()), g);
              return success();
            })
            .Case([&](snn::Conv2DOp o) {
              convBackward(o, gy, get(o.getInput()), get(o.getWeight()), g);
              return success();
            })
            .Case([&](snn::MaxPool2DOp o) {
              poolBackward<true>(o, gy, get(o.getInput()), false, g);
              return success();
            })
            .Case([&](snn::AvgPool2DOp o) {
              poolBackward<false>(o, gy, get(o.getInput()),
                                  o.getCountIncludePadValue(), g);
              return success();
            })
            .Case([&](snn::GlobalAvgPoolOp o) {
              const Tensor &x = get(o.getInput());
              int64_t hw = x.dim(2) * x.dim(3);
              std::vector<double> &gx = g.of(o.getInput());
              for (int64_t i = 0; i < x.size(); ++i)
                gx[i] += gy[i / hw] / double(hw);
              return success();
            })
            .Case([&](snn::ReluOp o) {
              const Tensor &x = get(o.getInput());
              std::vector<double> &gx = g.of(o.getInput());
              for (int64_t i = 0; i < x.size(); ++i)
                gx[i] += x.data[i] > 0.0f ? gy[i] : 0.0;
              return success();
            })
            .Case([&](snn::SigmoidOp o) {
              const Tensor &y = get(o.getResult());
              std::vector<double> &gx = g.of(o.getInput());
              for (int64_t i = 0; i < y.size(); ++i)
                gx[i] += gy[i] * double(y.data[i]) * (1.0 - y.data[i]);
              return success();
            })
            .Case([&](snn::TanhOp o) {
              const Tensor &y = get(o.getResult());
              std::vector<double> &gx = g.of(o.getInput());
              for (int64_t i = 0; i < y.size(); ++i)
                gx[i] += gy[i] * (1.0 - double(y.data[i]) * y.data[i]);
              return success();
            })
            .Case<snn::DropoutOp, snn::FlattenOp>([&](Operation *o) {
              std::vector<double> &gx = g.of(o->getOperand(0));
              for (size_t i = 0; i < gy.size(); ++i)
                gx[i] += gy[i];
              return success();
            })
            .Case([&](snn::SoftmaxOp o) {
              const Tensor &y = get(o.getResult());
              int64_t f = y.shape.back(), rows = y.size() / f;
              std::vector<double> &gx = g.of(o.getInput());
              for (int64_t r = 0; r < rows; ++r) {
                double dot = 0.0;
                for (int64_t i = 0; i < f; ++i)
                  dot += gy[r * f + i] * y.data[r * f + i];
                for (int64_t i = 0; i < f; ++i)
                  gx[r * f + i] += y.data[r * f + i] * (gy[r * f + i] - dot);
              }
              return success();
            })
            .Case([&](snn::AddOp o) {
              for (Value operand : {o.getLhs(), o.getRhs()}) {
                std::vector<double> &gx = g.of(operand);
                for (size_t i = 0; i < gy.size(); ++i)
                  gx[i] += gy[i];
              }
              return success();
            })
            .Case([&](snn::BatchNormOp o) {
              batchnormBackward(o, gy, get(o.getInput()), get(o.getScale()),
                                get(o.getMean()), get(o.getVar()), g);
              return success();
            })
            .Default([&](Operation *other) {
              return other->emitOpError()
                     << "cannot be differentiated by the reference executor";
            });
    if (failed(ok))
      return failure();
  }
  return g.finish();
}
