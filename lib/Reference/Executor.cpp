//===- Executor.cpp - The reference executor --------------------*- C++ -*-===//
//
// Part of sparsec. Plain loops over row-major tensors, one function per op,
// accumulating in double. Semantics follow the PyTorch modules of the same
// name.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Reference/Executor.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::ref;

Tensor::Tensor(ArrayRef<int64_t> shape)
    : shape(shape.begin(), shape.end()), data(numElements(shape), 0.0f) {}

Tensor::Tensor(ArrayRef<int64_t> shape, std::vector<float> data)
    : shape(shape.begin(), shape.end()), data(std::move(data)) {}

double sparsec::ref::maxRelativeError(ArrayRef<float> a, ArrayRef<float> b) {
  if (a.size() != b.size())
    return std::numeric_limits<double>::infinity();
  double scale = 0.0;
  for (float f : b)
    if (std::isfinite(f))
      scale = std::max(scale, std::fabs(static_cast<double>(f)));
  double floor = scale > 0.0 ? 1e-2 * scale : 1e-30;
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    double x = a[i], y = b[i];
    if (std::isnan(x) || std::isnan(y)) {
      if (std::isnan(x) != std::isnan(y))
        return std::numeric_limits<double>::infinity();
      continue;
    }
    if (std::isinf(x) || std::isinf(y)) {
      if (x != y)
        return std::numeric_limits<double>::infinity();
      continue;
    }
    worst = std::max(worst, std::fabs(x - y) / std::max(std::fabs(y), floor));
  }
  return worst;
}

namespace {

int64_t shapeSize(Value v) {
  return numElements(cast<ShapedType>(v.getType()).getShape());
}

Tensor dense(const Tensor &x, const Tensor &w, const Tensor *b) {
  int64_t n = x.dim(0), k = x.dim(1), m = w.dim(0);
  Tensor y({n, m});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < m; ++o) {
      double acc = b ? b->data[o] : 0.0;
      for (int64_t j = 0; j < k; ++j)
        acc += double(x.data[i * k + j]) * w.data[o * k + j];
      y.data[i * m + o] = static_cast<float>(acc);
    }
  return y;
}

Tensor conv2d(snn::Conv2DOp op, const Tensor &x, const Tensor &w,
              const Tensor *b) {
  auto [sh, sw] = op.getStrideValues();
  auto [pt, pl, pb, pr] = op.getPaddingValues();
  auto [dh, dw] = op.getDilationValues();
  int64_t groups = op.getGroupCount();
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  int64_t o = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  int64_t og = o / groups;
  ArrayRef<int64_t> outShape = cast<ShapedType>(op.getType()).getShape();
  int64_t ho = outShape[2], wo = outShape[3];
  (void)pb;
  (void)pr;
  Tensor y(outShape);
  for (int64_t in = 0; in < n; ++in)
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t g = oc / og;
      for (int64_t oy = 0; oy < ho; ++oy)
        for (int64_t ox = 0; ox < wo; ++ox) {
          double acc = b ? b->data[oc] : 0.0;
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                int64_t iy = oy * sh - pt + ky * dh;
                int64_t ix = ox * sw - pl + kx * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                  continue;
                int64_t chan = g * cg + ic;
                acc += double(x.data[((in * c + chan) * h + iy) * wd + ix]) *
                       w.data[((oc * cg + ic) * kh + ky) * kw + kx];
              }
          y.data[((in * o + oc) * ho + oy) * wo + ox] =
              static_cast<float>(acc);
        }
    }
  return y;
}

/// Max and average pooling share the window walk; `Max` picks the rule.
template <bool Max, typename PoolOp>
Tensor pool2d(PoolOp op, const Tensor &x, bool countIncludePad) {
  auto [kh, kw] = op.getKernelValues();
  auto [sh, sw] = op.getStrideValues();
  auto [pt, pl, pb, pr] = op.getPaddingValues();
  auto [dh, dw] = op.getDilationValues();
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  ArrayRef<int64_t> outShape = cast<ShapedType>(op.getType()).getShape();
  int64_t ho = outShape[2], wo = outShape[3];
  Tensor y(outShape);
  for (int64_t plane = 0; plane < n * c; ++plane)
    for (int64_t oy = 0; oy < ho; ++oy)
      for (int64_t ox = 0; ox < wo; ++ox) {
        int64_t y0 = oy * sh - pt, x0 = ox * sw - pl;
        double best = -std::numeric_limits<double>::infinity();
        double sum = 0.0;
        int64_t valid = 0;
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            int64_t iy = y0 + ky * dh, ix = x0 + kx * dw;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
              continue;
            double v = x.data[(plane * h + iy) * wd + ix];
            // PyTorch's max pooling propagates NaN: once seen, it wins.
            if (!std::isnan(best) && (std::isnan(v) || v > best))
              best = v;
            sum += v;
            ++valid;
          }
        float result;
        if constexpr (Max) {
          result = static_cast<float>(best);
        } else {
          // PyTorch's divisor with count_include_pad: the window clipped to
          // the padded input; without it: the window clipped to the input.
          int64_t yEnd = std::min(y0 + kh, h + pb);
          int64_t xEnd = std::min(x0 + kw, wd + pr);
          int64_t padded = (yEnd - y0) * (xEnd - x0);
          int64_t divisor = countIncludePad ? padded : valid;
          result = static_cast<float>(sum / double(divisor));
        }
        y.data[(plane * ho + oy) * wo + ox] = result;
      }
  return y;
}

Tensor globalAvgPool(const Tensor &x) {
  int64_t n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
  Tensor y({n, c, 1, 1});
  for (int64_t plane = 0; plane < n * c; ++plane) {
    double sum = 0.0;
    for (int64_t i = 0; i < hw; ++i)
      sum += x.data[plane * hw + i];
    y.data[plane] = static_cast<float>(sum / double(hw));
  }
  return y;
}

template <typename Fn> Tensor map(const Tensor &x, Fn fn) {
  Tensor y(x.shape);
  for (int64_t i = 0; i < x.size(); ++i)
    y.data[i] = static_cast<float>(fn(static_cast<double>(x.data[i])));
  return y;
}

Tensor softmax(const Tensor &x) {
  int64_t f = x.shape.back();
  int64_t rows = x.size() / f;
  Tensor y(x.shape);
  for (int64_t r = 0; r < rows; ++r) {
    const float *in = &x.data[r * f];
    double mx = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < f; ++i)
      mx = std::max(mx, double(in[i]));
    double sum = 0.0;
    for (int64_t i = 0; i < f; ++i)
      sum += std::exp(double(in[i]) - mx);
    for (int64_t i = 0; i < f; ++i)
      y.data[r * f + i] = static_cast<float>(std::exp(double(in[i]) - mx) / sum);
  }
  return y;
}

Tensor batchnorm(snn::BatchNormOp op, const Tensor &x, const Tensor &scale,
                 const Tensor &shift, const Tensor &mean, const Tensor &var) {
  int64_t n = x.dim(0), c = x.dim(1);
  int64_t inner = x.size() / (n * c);
  double eps = op.getEpsilonValue();
  Tensor y(x.shape);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      double inv = 1.0 / std::sqrt(double(var.data[ch]) + eps);
      for (int64_t j = 0; j < inner; ++j) {
        int64_t idx = (i * c + ch) * inner + j;
        y.data[idx] = static_cast<float>(
            (double(x.data[idx]) - mean.data[ch]) * inv * scale.data[ch] +
            shift.data[ch]);
      }
    }
  return y;
}

} // namespace

const Tensor *Executor::lookup(Value v) const {
  auto it = values.find(v);
  return it == values.end() ? nullptr : &it->second;
}

LogicalResult Executor::evaluate(Operation &op) {
  auto get = [&](Value v) -> const Tensor & { return values.find(v)->second; };
  auto optional = [&](Value v) -> const Tensor * {
    return v ? &values.find(v)->second : nullptr;
  };
  FailureOr<Tensor> result =
      llvm::TypeSwitch<Operation *, FailureOr<Tensor>>(&op)
          .Case([&](arith::ConstantOp c) -> FailureOr<Tensor> {
            // Masks become 0/1 floats so that snn.mask is a product.
            auto type = cast<ShapedType>(c.getType());
            Tensor t(type.getShape());
            if (type.getElementType().isInteger(1)) {
              FailureOr<std::vector<uint8_t>> m = readMaskConstant(c);
              if (failed(m))
                return failure();
              for (auto [dst, src] : llvm::zip_equal(t.data, *m))
                dst = src ? 1.0f : 0.0f;
              return t;
            }
            FailureOr<std::vector<float>> v = readF32Constant(c);
            if (failed(v))
              return failure();
            t.data = std::move(*v);
            return t;
          })
          .Case([&](snn::MaskOp o) -> FailureOr<Tensor> {
            Tensor t = get(o.getWeight());
            const Tensor &m = get(o.getMask());
            for (auto [w, keep] : llvm::zip_equal(t.data, m.data))
              if (keep == 0.0f)
                w = 0.0f;
            return t;
          })
          .Case([&](snn::DenseOp o) -> FailureOr<Tensor> {
            return dense(get(o.getInput()), get(o.getWeight()),
                         optional(o.getBias()));
          })
          .Case([&](snn::Conv2DOp o) -> FailureOr<Tensor> {
            return conv2d(o, get(o.getInput()), get(o.getWeight()),
                          optional(o.getBias()));
          })
          .Case([&](snn::MaxPool2DOp o) -> FailureOr<Tensor> {
            return pool2d<true>(o, get(o.getInput()), false);
          })
          .Case([&](snn::AvgPool2DOp o) -> FailureOr<Tensor> {
            return pool2d<false>(o, get(o.getInput()),
                                 o.getCountIncludePadValue());
          })
          .Case([&](snn::GlobalAvgPoolOp o) -> FailureOr<Tensor> {
            return globalAvgPool(get(o.getInput()));
          })
          .Case([&](snn::ReluOp o) -> FailureOr<Tensor> {
            // max(x, 0) that keeps NaN, like torch.relu.
            return map(get(o.getInput()),
                       [](double v) { return v < 0.0 ? 0.0 : v; });
          })
          .Case([&](snn::SigmoidOp o) -> FailureOr<Tensor> {
            return map(get(o.getInput()),
                       [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
          })
          .Case([&](snn::TanhOp o) -> FailureOr<Tensor> {
            return map(get(o.getInput()), [](double v) { return std::tanh(v); });
          })
          .Case([&](snn::DropoutOp o) -> FailureOr<Tensor> {
            return get(o.getInput());
          })
          .Case([&](snn::FlattenOp o) -> FailureOr<Tensor> {
            Tensor t = get(o.getInput());
            t.shape.assign(cast<ShapedType>(o.getType()).getShape().begin(),
                           cast<ShapedType>(o.getType()).getShape().end());
            return t;
          })
          .Case([&](snn::SoftmaxOp o) -> FailureOr<Tensor> {
            return softmax(get(o.getInput()));
          })
          .Case([&](snn::AddOp o) -> FailureOr<Tensor> {
            Tensor t = get(o.getLhs());
            for (auto [a, b] : llvm::zip_equal(t.data, get(o.getRhs()).data))
              a = static_cast<float>(double(a) + double(b));
            return t;
          })
          .Case([&](snn::BatchNormOp o) -> FailureOr<Tensor> {
            return batchnorm(o, get(o.getInput()), get(o.getScale()),
                             get(o.getShift()), get(o.getMean()),
                             get(o.getVar()));
          })
          .Default([&](Operation *other) -> FailureOr<Tensor> {
            return other->emitOpError()
                   << "cannot be evaluated by the reference executor";
          });
  if (failed(result))
    return failure();
  assert(result->size() == shapeSize(op.getResult(0)) &&
         "op evaluated to the wrong number of elements");
  values[op.getResult(0)] = std::move(*result);
  return success();
}

FailureOr<Tensor> Executor::run(const Tensor &input) {
  values.clear();
  Block &body = fn.getBody().front();
  BlockArgument arg = body.getArgument(0);
  ArrayRef<int64_t> expected = cast<ShapedType>(arg.getType()).getShape();
  if (ArrayRef<int64_t>(input.shape) != expected)
    return fn.emitOpError() << "input has shape "
                            << snn::formatShape(input.shape) << ", but @"
                            << fn.getSymName() << " expects "
                            << snn::formatShape(expected);
  values[arg] = input;
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op))
      return values.find(ret.getOperand(0))->second;
    if (failed(evaluate(op)))
      return failure();
  }
  return fn.emitOpError() << "has no func.return";
}
