//===- SparseNNOps.cpp - Verifiers and shape rules of the snn ops -*- C++ -*-===//
//
// Part of sparsec. Every check a user's file can fail is a diagnostic that
// names the op, the operand or attribute, and the numbers that disagree.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace sparsec::snn;

std::string sparsec::snn::formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += 'x';
    s += std::to_string(d);
  }
  return s;
}

int64_t sparsec::snn::windowOutputSize(int64_t in, int64_t padBefore,
                                       int64_t padAfter, int64_t kernel,
                                       int64_t stride, int64_t dilation,
                                       bool ceilMode) {
  int64_t span = in + padBefore + padAfter - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (span + (ceilMode ? stride - 1 : 0)) / stride + 1;
  // PyTorch drops a last window that would start in the right padding.
  if (ceilMode && (out - 1) * stride >= in + padBefore)
    --out;
  return out;
}

//===----------------------------------------------------------------------===//
// Attribute accessors with defaults
//===----------------------------------------------------------------------===//

namespace {
std::array<int64_t, 2> pairOr(std::optional<ArrayRef<int64_t>> v,
                              std::array<int64_t, 2> dflt) {
  if (!v || v->size() != 2)
    return dflt;
  return {(*v)[0], (*v)[1]};
}

std::array<int64_t, 4> paddingOr(std::optional<ArrayRef<int64_t>> v) {
  if (!v)
    return {0, 0, 0, 0};
  if (v->size() == 2)
    return {(*v)[0], (*v)[1], (*v)[0], (*v)[1]};
  if (v->size() == 4)
    return {(*v)[0], (*v)[1], (*v)[2], (*v)[3]};
  return {0, 0, 0, 0};
}
} // namespace

std::array<int64_t, 2> Conv2DOp::getStrideValues() {
  return pairOr(getStrides(), {1, 1});
}
std::array<int64_t, 4> Conv2DOp::getPaddingValues() {
  return paddingOr(getPadding());
}
std::array<int64_t, 2> Conv2DOp::getDilationValues() {
  return pairOr(getDilations(), {1, 1});
}
int64_t Conv2DOp::getGroupCount() { return getGroups().value_or(1); }

#define SPARSENN_POOL_ACCESSORS(OP)                                           \
  std::array<int64_t, 2> OP::getKernelValues() {                              \
    return pairOr(getKernel(), {1, 1});                                       \
  }                                                                           \
  std::array<int64_t, 2> OP::getStrideValues() {                              \
    return pairOr(getStrides(), getKernelValues());                           \
  }                                                                           \
  std::array<int64_t, 4> OP::getPaddingValues() {                             \
    return paddingOr(getPadding());                                           \
  }                                                                           \
  bool OP::getCeilModeValue() { return getCeilMode().value_or(false); }

SPARSENN_POOL_ACCESSORS(MaxPool2DOp)
SPARSENN_POOL_ACCESSORS(AvgPool2DOp)
#undef SPARSENN_POOL_ACCESSORS

std::array<int64_t, 2> MaxPool2DOp::getDilationValues() {
  return pairOr(getDilations(), {1, 1});
}
std::array<int64_t, 2> AvgPool2DOp::getDilationValues() { return {1, 1}; }
bool AvgPool2DOp::getCountIncludePadValue() {
  return getCountIncludePad().value_or(true);
}

float BatchNormOp::getEpsilonValue() {
  if (auto eps = getEpsilonAttr())
    return eps.getValue().convertToFloat();
  return 1.0e-5f;
}

//===----------------------------------------------------------------------===//
// Shape inference and verification
//===----------------------------------------------------------------------===//

namespace {

/// Emits diagnostics on an op only when asked to; shape inference runs
/// silently from passes and loudly from verifiers.
class Checker {
public:
  Checker(Operation *op, bool diagnose) : op(op), diagnose(diagnose) {}

  /// Reports a failed check. Usage: `return c.fail() << "message";`.
  class Failure {
  public:
    explicit Failure(std::optional<InFlightDiagnostic> diag)
        : diag(std::move(diag)) {}
    template <typename T> Failure &operator<<(T &&v) {
      if (diag)
        *diag << std::forward<T>(v);
      return *this;
    }
    operator LogicalResult() { return failure(); }
    template <typename T> operator FailureOr<T>() { return failure(); }

  private:
    std::optional<InFlightDiagnostic> diag;
  };

  Failure fail() {
    if (!diagnose)
      return Failure(std::nullopt);
    return Failure(op->emitOpError());
  }

  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<ShapedType>(v.getType()).getShape();
  }

  /// Checks that `v` (named `name`) has one of the given ranks.
  LogicalResult rank(Value v, StringRef name, ArrayRef<int64_t> ranks,
                     StringRef layout) {
    int64_t r = shapeOf(v).size();
    if (llvm::is_contained(ranks, r))
      return success();
    Failure f = fail();
    f << name << " must be ";
    for (auto [i, want] : llvm::enumerate(ranks))
      f << (i ? " or " : "") << want << "-D";
    return f << " (" << layout << "), but has rank " << r << " (shape "
             << formatShape(shapeOf(v)) << ")";
  }

  /// Checks a per-channel vector operand: rank 1 with `n` elements.
  LogicalResult vector(Value v, StringRef name, int64_t n, StringRef per) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (s.size() == 1 && s[0] == n)
      return success();
    return fail() << name << " must have " << n << " elements (one per "
                  << per << "), but has shape " << formatShape(s);
  }

  /// Checks an optional i64 array attribute's length and lower bound.
  LogicalResult array(std::optional<ArrayRef<int64_t>> v, StringRef name,
                      ArrayRef<size_t> lengths, int64_t min) {
    if (!v)
      return success();
    if (!llvm::is_contained(lengths, v->size())) {
      Failure f = fail();
      f << name << " must have ";
      for (auto [i, n] : llvm::enumerate(lengths))
        f << (i ? " or " : "") << n;
      return f << " elements, but has " << v->size();
    }
    for (auto [i, x] : llvm::enumerate(*v))
      if (x < min)
        return fail() << name << " must be "
                      << (min > 0 ? "positive" : "non-negative") << ", but "
                      << name << "[" << i << "] = " << x;
    return success();
  }

private:
  Operation *op;
  bool diagnose;
};

using ShapeResult = FailureOr<SmallVector<int64_t>>;

ShapeResult inferDense(DenseOp op, Checker &c) {
  if (failed(c.rank(op.getInput(), "input", {2}, "N x K")) ||
      failed(c.rank(op.getWeight(), "weight", {2}, "M x K")))
    return failure();
  ArrayRef<int64_t> x = Checker::shapeOf(op.getInput());
  ArrayRef<int64_t> w = Checker::shapeOf(op.getWeight());
  if (w[1] != x[1])
    return c.fail() << "weight has " << w[1] << " input features (shape "
                    << formatShape(w) << "), but input has " << x[1]
                    << " (shape " << formatShape(x) << ")";
  if (op.getBias() &&
      failed(c.vector(op.getBias(), "bias", w[0], "output feature")))
    return failure();
  return SmallVector<int64_t>{x[0], w[0]};
}

/// Checks the spatial window of a conv or pool and returns its output size.
FailureOr<std::array<int64_t, 2>>
checkWindow(Checker &c, ArrayRef<int64_t> x, std::array<int64_t, 2> kernel,
            std::array<int64_t, 2> stride, std::array<int64_t, 4> pad,
            std::array<int64_t, 2> dilation, bool ceilMode) {
  std::array<int64_t, 2> out;
  for (int d = 0; d < 2; ++d) {
    out[d] = windowOutputSize(x[2 + d], pad[d], pad[2 + d], kernel[d],
                              stride[d], dilation[d], ceilMode);
    if (out[d] < 1) {
      int64_t eff0 = dilation[0] * (kernel[0] - 1) + 1;
      int64_t eff1 = dilation[1] * (kernel[1] - 1) + 1;
      return c.fail() << "kernel " << kernel[0] << "x" << kernel[1]
                      << " (dilated extent " << eff0 << "x" << eff1
                      << ") does not fit the padded input "
                      << x[2] + pad[0] + pad[2] << "x"
                      << x[3] + pad[1] + pad[3];
    }
  }
  return out;
}

ShapeResult inferConv(Conv2DOp op, Checker &c) {
  if (failed(c.rank(op.getInput(), "input", {4}, "N x C x H x W")) ||
      failed(c.rank(op.getWeight(), "weight", {4}, "O x C/groups x KH x KW")) ||
      failed(c.array(op.getStrides(), "strides", {2}, 1)) ||
      failed(c.array(op.getPadding(), "padding", {2, 4}, 0)) ||
      failed(c.array(op.getDilations(), "dilations", {2}, 1)))
    return failure();
  ArrayRef<int64_t> x = Checker::shapeOf(op.getInput());
  ArrayRef<int64_t> w = Checker::shapeOf(op.getWeight());
  int64_t groups = op.getGroupCount();
  if (groups < 1)
    return c.fail() << "groups must be positive, but is " << groups;
  if (x[1] % groups != 0)
    return c.fail() << "groups = " << groups << " does not divide the input's "
                    << x[1] << " channels";
  if (w[0] % groups != 0)
    return c.fail() << "groups = " << groups
                    << " does not divide the weight's " << w[0]
                    << " output channels";
  if (w[1] != x[1] / groups)
    return c.fail() << "weight has " << w[1]
                    << " input channels per group (shape " << formatShape(w)
                    << "), but input has " << x[1] << " channels in " << groups
                    << (groups == 1 ? " group" : " groups") << " (expected "
                    << x[1] / groups << ")";
  if (op.getBias() &&
      failed(c.vector(op.getBias(), "bias", w[0], "output channel")))
    return failure();
  auto out = checkWindow(c, x, {w[2], w[3]}, op.getStrideValues(),
                         op.getPaddingValues(), op.getDilationValues(),
                         /*ceilMode=*/false);
  if (failed(out))
    return failure();
  return SmallVector<int64_t>{x[0], w[0], (*out)[0], (*out)[1]};
}

template <typename PoolOp>
ShapeResult inferPool(PoolOp op, Checker &c,
                      std::optional<ArrayRef<int64_t>> dilations) {
  if (failed(c.rank(op.getInput(), "input", {4}, "N x C x H x W")) ||
      failed(c.array(op.getKernel(), "kernel", {2}, 1)) ||
      failed(c.array(op.getStrides(), "strides", {2}, 1)) ||
      failed(c.array(op.getPadding(), "padding", {2, 4}, 0)) ||
      failed(c.array(dilations, "dilations", {2}, 1)))
    return failure();
  std::array<int64_t, 2> k = op.getKernelValues();
  std::array<int64_t, 4> pad = op.getPaddingValues();
  for (int i = 0; i < 4; ++i)
    if (pad[i] > k[i % 2] / 2)
      return c.fail() << "padding " << pad[i] << " exceeds half the "
                      << k[i % 2] << "-wide kernel (padding[" << i
                      << "] must be at most " << k[i % 2] / 2 << ")";
  ArrayRef<int64_t> x = Checker::shapeOf(op.getInput());
  auto out = checkWindow(c, x, k, op.getStrideValues(), pad,
                         op.getDilationValues(), op.getCeilModeValue());
  if (failed(out))
    return failure();
  return SmallVector<int64_t>{x[0], x[1], (*out)[0], (*out)[1]};
}

ShapeResult inferBatchNorm(BatchNormOp op, Checker &c) {
  if (failed(c.rank(op.getInput(), "input", {2, 4},
                    "N x C or N x C x H x W")))
    return failure();
  ArrayRef<int64_t> x = Checker::shapeOf(op.getInput());
  if (failed(c.vector(op.getScale(), "scale", x[1], "channel")) ||
      failed(c.vector(op.getShift(), "shift", x[1], "channel")) ||
      failed(c.vector(op.getMean(), "mean", x[1], "channel")) ||
      failed(c.vector(op.getVar(), "var", x[1], "channel")))
    return failure();
  float eps = op.getEpsilonValue();
  if (!(eps >= 0.0f) || std::isinf(eps))
    return c.fail() << "epsilon must be non-negative and finite, but is "
                    << eps;
  return SmallVector<int64_t>(x);
}

ShapeResult inferFlatten(FlattenOp op, Checker &c) {
  ArrayRef<int64_t> x = Checker::shapeOf(op.getInput());
  if (x.size() < 2)
    return c.fail() << "input must have a batch dimension and at least one "
                       "more (rank >= 2), but has shape "
                    << formatShape(x);
  int64_t features = 1;
  for (int64_t d : x.drop_front())
    if (llvm::MulOverflow(features, d, features))
      return c.fail() << "input shape " << formatShape(x)
                      << " has more features than fit in 64 bits";
  return SmallVector<int64_t>{x[0], features};
}

ShapeResult inferSame(Value input) {
  return SmallVector<int64_t>(Checker::shapeOf(input));
}

} // namespace

FailureOr<SmallVector<int64_t>> sparsec::snn::inferResultShape(Operation *op,
                                                              bool diagnose) {
  Checker c(op, diagnose);
  return llvm::TypeSwitch<Operation *, ShapeResult>(op)
      .Case([&](DenseOp o) { return inferDense(o, c); })
      .Case([&](Conv2DOp o) { return inferConv(o, c); })
      .Case([&](MaxPool2DOp o) { return inferPool(o, c, o.getDilations()); })
      .Case([&](AvgPool2DOp o) { return inferPool(o, c, std::nullopt); })
      .Case([&](GlobalAvgPoolOp o) -> ShapeResult {
        if (failed(c.rank(o.getInput(), "input", {4}, "N x C x H x W")))
          return failure();
        ArrayRef<int64_t> x = Checker::shapeOf(o.getInput());
        return SmallVector<int64_t>{x[0], x[1], 1, 1};
      })
      .Case([&](BatchNormOp o) { return inferBatchNorm(o, c); })
      .Case([&](FlattenOp o) { return inferFlatten(o, c); })
      .Case([&](SoftmaxOp o) -> ShapeResult {
        if (Checker::shapeOf(o.getInput()).empty())
          return c.fail() << "input must have at least one dimension";
        return inferSame(o.getInput());
      })
      .Case([&](DropoutOp o) -> ShapeResult {
        float rate = o.getRate().convertToFloat();
        if (!(rate >= 0.0f && rate < 1.0f))
          return c.fail() << "rate must be in [0, 1), but is " << rate;
        return inferSame(o.getInput());
      })
      .Case([&](AddOp o) -> ShapeResult {
        ArrayRef<int64_t> a = Checker::shapeOf(o.getLhs());
        ArrayRef<int64_t> b = Checker::shapeOf(o.getRhs());
        if (a != b)
          return c.fail() << "rhs shape " << formatShape(b)
                          << " does not match lhs shape " << formatShape(a);
        return inferSame(o.getLhs());
      })
      .Case([&](MaskOp o) -> ShapeResult {
        ArrayRef<int64_t> w = Checker::shapeOf(o.getWeight());
        ArrayRef<int64_t> m = Checker::shapeOf(o.getMask());
        if (w != m)
          return c.fail() << "mask shape " << formatShape(m)
                          << " does not match weight shape " << formatShape(w);
        return inferSame(o.getWeight());
      })
      .Case<ReluOp, SigmoidOp, TanhOp>(
          [&](Operation *o) { return inferSame(o->getOperand(0)); })
      .Default([&](Operation *) -> ShapeResult {
        return c.fail() << "is not an snn op with a shape rule";
      });
}

/// The shared tail of every verifier: the result must have the shape the
/// operands and attributes imply.
static LogicalResult verifyResultShape(Operation *op) {
  FailureOr<SmallVector<int64_t>> expected =
      inferResultShape(op, /*diagnose=*/true);
  if (failed(expected))
    return failure();
  ArrayRef<int64_t> actual =
      cast<ShapedType>(op->getResult(0).getType()).getShape();
  if (actual != ArrayRef<int64_t>(*expected))
    return op->emitOpError()
           << "result shape " << formatShape(actual)
           << " does not match the shape implied by the operands, "
           << formatShape(*expected);
  return success();
}

#define SPARSENN_VERIFY(OP)                                                   \
  LogicalResult OP::verify() { return verifyResultShape(getOperation()); }
SPARSENN_VERIFY(MaskOp)
SPARSENN_VERIFY(DenseOp)
SPARSENN_VERIFY(Conv2DOp)
SPARSENN_VERIFY(MaxPool2DOp)
SPARSENN_VERIFY(AvgPool2DOp)
SPARSENN_VERIFY(GlobalAvgPoolOp)
SPARSENN_VERIFY(ReluOp)
SPARSENN_VERIFY(SigmoidOp)
SPARSENN_VERIFY(TanhOp)
SPARSENN_VERIFY(DropoutOp)
SPARSENN_VERIFY(FlattenOp)
SPARSENN_VERIFY(SoftmaxOp)
SPARSENN_VERIFY(AddOp)
SPARSENN_VERIFY(BatchNormOp)
#undef SPARSENN_VERIFY

#define GET_OP_CLASSES
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.cpp.inc"
