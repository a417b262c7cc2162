//===- Lowering.cpp - snn networks to one Halide pipeline -------*- C++ -*-===//
//
// Part of sparsec. Walks the network op by op and builds named Halide Funcs:
// element-wise ops, pooling, softmax and the shape ops here; dense and conv2d
// kernels in AffineLayers.cpp.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::halide;
namespace hl = Halide;

std::vector<hl::Var> sparsec::halide::makeVars(int rank) {
  std::vector<hl::Var> vars;
  for (int i = 0; i < rank; ++i)
    vars.emplace_back("x" + std::to_string(i));
  return vars;
}

std::vector<hl::Expr>
sparsec::halide::innermostFirst(ArrayRef<hl::Expr> rowMajor) {
  return std::vector<hl::Expr>(rowMajor.rbegin(), rowMajor.rend());
}

hl::Expr Tensor::at(ArrayRef<hl::Expr> rowMajor) const {
  return func(innermostFirst(rowMajor));
}

std::string sparsec::halide::layerName(Operation *op, unsigned index) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc())) {
    std::string s = name.getName().str();
    for (char &c : s)
      if (!isalnum(static_cast<unsigned char>(c)))
        c = '_';
    return "l" + std::to_string(index) + "_" + s;
  }
  return "l" + std::to_string(index) + "_" +
         op->getName().stripDialect().str();
}

NetworkLowering::NetworkLowering(func::FuncOp fn, const TargetSpec &target)
    : fn(fn), spec(target) {}

void NetworkLowering::materialize(Tensor &t) {
  std::vector<hl::Var> vars = t.func.args();
  t.func.compute_root();
  t.stored = true;
  if (!vars.empty() && t.shape.back() >= spec.vectorWidth)
    t.func.vectorize(vars.front(), spec.vectorWidth,
                     hl::TailStrategy::GuardWithIf);
  if (spec.threads > 1 && vars.size() >= 2 &&
      numElements(t.shape) >= kParallelElements)
    t.func.parallel(vars.back());
}

Tensor &NetworkLowering::operand(Value v) { return values.find(v)->second; }

namespace {

/// A new tensor of `shape` whose elements are `fn(elements of x)`.
template <typename Fn>
Tensor mapTensor(const Tensor &x, const std::string &name, Fn fn) {
  Tensor t{x.shape, hl::Func(name)};
  std::vector<hl::Var> v = makeVars(x.rank());
  std::vector<hl::Expr> args(v.begin(), v.end());
  t.func(v) = fn(x.func(args));
  return t;
}

} // namespace

FailureOr<Tensor> NetworkLowering::constantTensor(Value v,
                                                  const std::string &name) {
  FailureOr<Weight> w = readWeight(v);
  if (failed(w))
    return failure();
  std::vector<int> extents;
  for (int64_t d : llvm::reverse(w->shape))
    extents.push_back(static_cast<int>(d));
  hl::Buffer<float> buf(extents, name + "_data");
  std::copy(w->values.begin(), w->values.end(), buf.data());
  Tensor t{w->shape, hl::Func(name)};
  std::vector<hl::Var> vars = makeVars(t.rank());
  std::vector<hl::Expr> args(vars.begin(), vars.end());
  t.func(vars) = buf(args);
  t.stored = true;
  return t;
}

FailureOr<Tensor> NetworkLowering::lowerPool(Operation *op,
                                             const std::string &name) {
  Tensor &x = operand(op->getOperand(0));
  ArrayRef<int64_t> out = cast<ShapedType>(op->getResult(0).getType()).getShape();
  int64_t h = x.shape[2], w = x.shape[3];
  bool isMax = isa<snn::MaxPool2DOp>(op);
  std::array<int64_t, 2> k, s, d;
  std::array<int64_t, 4> pad;
  bool includePad = true;
  if (auto mp = dyn_cast<snn::MaxPool2DOp>(op)) {
    k = mp.getKernelValues(), s = mp.getStrideValues(),
    d = mp.getDilationValues(), pad = mp.getPaddingValues();
  } else {
    auto ap = cast<snn::AvgPool2DOp>(op);
    k = ap.getKernelValues(), s = ap.getStrideValues(),
    d = ap.getDilationValues(), pad = ap.getPaddingValues();
    includePad = ap.getCountIncludePadValue();
  }
  hl::Var ow("ow"), oh("oh"), c("c"), n("n");
  hl::RDom r(0, static_cast<int>(k[1]), 0, static_cast<int>(k[0]),
             name + "_win");
  hl::Expr iy = oh * static_cast<int>(s[0]) - static_cast<int>(pad[0]) +
                r.y * static_cast<int>(d[0]);
  hl::Expr ix = ow * static_cast<int>(s[1]) - static_cast<int>(pad[1]) +
                r.x * static_cast<int>(d[1]);
  hl::Expr inside = iy >= 0 && iy < static_cast<int>(h) && ix >= 0 &&
                    ix < static_cast<int>(w);
  hl::Expr value =
      x.func(hl::clamp(ix, 0, static_cast<int>(w) - 1),
             hl::clamp(iy, 0, static_cast<int>(h) - 1), c, n);
  Tensor t{SmallVector<int64_t, 4>(out), hl::Func(name)};
  if (isMax) {
    // Padded positions never win.
    t.func(ow, oh, c, n) = hl::maximum(
        hl::select(inside, value, -std::numeric_limits<float>::infinity()),
        name + "_max");
  } else {
    hl::Expr sum = hl::sum(hl::select(inside, value, 0.0f), name + "_sum");
    // PyTorch's divisor: the window clipped to the padded input with
    // count_include_pad, to the input itself without.
    hl::Expr y0 = oh * static_cast<int>(s[0]) - static_cast<int>(pad[0]);
    hl::Expr x0 = ow * static_cast<int>(s[1]) - static_cast<int>(pad[1]);
    hl::Expr divisor;
    if (includePad) {
      hl::Expr yEnd = hl::min(y0 + static_cast<int>(k[0]),
                              static_cast<int>(h + pad[2]));
      hl::Expr xEnd = hl::min(x0 + static_cast<int>(k[1]),
                              static_cast<int>(w + pad[3]));
      divisor = (yEnd - y0) * (xEnd - x0);
    } else {
      hl::Expr rows = hl::min(y0 + static_cast<int>(k[0]), static_cast<int>(h)) -
                      hl::max(y0, 0);
      hl::Expr cols = hl::min(x0 + static_cast<int>(k[1]), static_cast<int>(w)) -
                      hl::max(x0, 0);
      divisor = rows * cols;
    }
    t.func(ow, oh, c, n) = sum / hl::cast<float>(divisor);
  }
  t.func.compute_root();
  t.stored = true;
  if (out[3] >= spec.vectorWidth)
    t.func.vectorize(ow, spec.vectorWidth, hl::TailStrategy::GuardWithIf);
  if (spec.threads > 1 && out[1] > 1 &&
      numElements(x.shape) >= kParallelElements)
    t.func.parallel(c);
  return t;
}

Tensor NetworkLowering::lowerGlobalAvgPool(const Tensor &x,
                                           const std::string &name) {
  int64_t h = x.shape[2], w = x.shape[3];
  hl::Var i("i"), j("j"), c("c"), n("n");
  hl::RDom r(0, static_cast<int>(w), 0, static_cast<int>(h), name + "_r");
  Tensor t{{x.shape[0], x.shape[1], 1, 1}, hl::Func(name)};
  t.func(i, j, c, n) =
      hl::sum(x.func(r.x, r.y, c, n), name + "_sum") / float(h * w);
  t.func.compute_root();
  t.stored = true;
  if (spec.threads > 1 && x.shape[1] > 1 &&
      numElements(x.shape) >= kParallelElements)
    t.func.parallel(c);
  return t;
}

Tensor NetworkLowering::lowerSoftmax(const Tensor &x, const std::string &name) {
  int rank = x.rank();
  int64_t f = x.shape.back();
  std::vector<hl::Var> v = makeVars(rank);
  std::vector<hl::Var> outer(v.begin() + 1, v.end());
  std::vector<hl::Expr> outerArgs(outer.begin(), outer.end());
  hl::RDom r(0, static_cast<int>(f), name + "_r");
  auto withInner = [&](hl::Expr inner) {
    std::vector<hl::Expr> args{inner};
    args.insert(args.end(), outerArgs.begin(), outerArgs.end());
    return args;
  };
  hl::Func mx(name + "_max"), ex(name + "_exp"), sum(name + "_sum");
  mx(outer) = hl::maximum(x.func(withInner(r.x)));
  std::vector<hl::Expr> all(v.begin(), v.end());
  ex(v) = hl::exp(x.func(all) - mx(outerArgs));
  sum(outer) = hl::sum(ex(withInner(r.x)));
  Tensor t{x.shape, hl::Func(name)};
  t.func(v) = ex(all) / sum(outerArgs);
  mx.compute_root();
  ex.compute_root();
  sum.compute_root();
  t.func.compute_root();
  t.stored = true;
  if (f >= spec.vectorWidth) {
    ex.vectorize(v[0], spec.vectorWidth, hl::TailStrategy::GuardWithIf);
    t.func.vectorize(v[0], spec.vectorWidth, hl::TailStrategy::GuardWithIf);
  }
  return t;
}

LogicalResult NetworkLowering::batchNormCoefficients(Operation *op,
                                                     const std::string &name,
                                                     hl::Buffer<float> &a,
                                                     hl::Buffer<float> &b) {
  auto bn = cast<snn::BatchNormOp>(op);
  FailureOr<std::vector<float>> scale = readF32Constant(bn.getScale()),
                                shift = readF32Constant(bn.getShift()),
                                mean = readF32Constant(bn.getMean()),
                                var = readF32Constant(bn.getVar());
  if (failed(scale) || failed(shift) || failed(mean) || failed(var))
    return failure();
  // y = x * a + b per channel, with a and b folded in double precision.
  int channels = static_cast<int>(scale->size());
  a = hl::Buffer<float>(channels, name + "_a");
  b = hl::Buffer<float>(channels, name + "_b");
  double eps = bn.getEpsilonValue();
  for (int ch = 0; ch < channels; ++ch) {
    double inv = 1.0 / std::sqrt(double((*var)[ch]) + eps);
    a(ch) = static_cast<float>((*scale)[ch] * inv);
    b(ch) = static_cast<float>((*shift)[ch] - (*mean)[ch] * (*scale)[ch] * inv);
  }
  return success();
}

FailureOr<Tensor> NetworkLowering::lowerBatchNorm(Operation *op,
                                                  const std::string &name) {
  Tensor &x = operand(op->getOperand(0));
  hl::Buffer<float> a, b;
  if (failed(batchNormCoefficients(op, name, a, b)))
    return failure();
  std::vector<hl::Var> v = makeVars(x.rank());
  hl::Var ch = v[x.rank() - 2];
  Tensor t{x.shape, hl::Func(name)};
  std::vector<hl::Expr> args(v.begin(), v.end());
  t.func(v) = x.func(args) * a(ch) + b(ch);
  return t;
}

SmallVector<Operation *> NetworkLowering::epilogueChain(Operation *op) {
  SmallVector<Operation *> chain;
  Value v = op->getResult(0);
  while (v.hasOneUse()) {
    Operation *user = *v.getUsers().begin();
    if (!isa<snn::ReluOp, snn::SigmoidOp, snn::TanhOp, snn::DropoutOp,
             snn::BatchNormOp>(user) ||
        user->getOperand(0) != v)
      break;
    chain.push_back(user);
    v = user->getResult(0);
  }
  return chain;
}

FailureOr<std::function<hl::Expr(hl::Expr, hl::Expr)>>
NetworkLowering::epilogue(ArrayRef<Operation *> chain,
                          const std::string &name) {
  std::vector<std::function<hl::Expr(hl::Expr, hl::Expr)>> steps;
  for (auto [i, op] : llvm::enumerate(chain)) {
    if (isa<snn::ReluOp>(op)) {
      steps.push_back([](hl::Expr e, hl::Expr) { return hl::max(e, 0.0f); });
    } else if (isa<snn::SigmoidOp>(op)) {
      steps.push_back(
          [](hl::Expr e, hl::Expr) { return 1.0f / (1.0f + hl::exp(-e)); });
    } else if (isa<snn::TanhOp>(op)) {
      steps.push_back([](hl::Expr e, hl::Expr) { return hl::tanh(e); });
    } else if (isa<snn::BatchNormOp>(op)) {
      hl::Buffer<float> a, b;
      if (failed(batchNormCoefficients(op, name + "_bn" + std::to_string(i),
                                       a, b)))
        return failure();
      steps.push_back([a, b](hl::Expr e, hl::Expr c) {
        return e * a(c) + b(c);
      });
    }
  }
  return std::function<hl::Expr(hl::Expr, hl::Expr)>(
      [steps](hl::Expr e, hl::Expr c) {
        for (const auto &step : steps)
          e = step(e, c);
        return e;
      });
}

LogicalResult NetworkLowering::lowerOp(Operation &op, unsigned index) {
  std::string name = layerName(&op, index);
  FailureOr<Tensor> result =
      llvm::TypeSwitch<Operation *, FailureOr<Tensor>>(&op)
          .Case<arith::ConstantOp, snn::MaskOp>([&](Operation *o) {
            return constantTensor(o->getResult(0), name);
          })
          .Case([&](snn::DenseOp o) -> FailureOr<Tensor> {
            FailureOr<LayerPlan> plan = readPlan(o);
            if (failed(plan))
              return failure();
            return lowerDense(o, *plan, name);
          })
          .Case([&](snn::Conv2DOp o) -> FailureOr<Tensor> {
            FailureOr<LayerPlan> plan = readPlan(o);
            if (failed(plan))
              return failure();
            return lowerConv(o, *plan, name);
          })
          .Case<snn::MaxPool2DOp, snn::AvgPool2DOp>(
              [&](Operation *o) { return lowerPool(o, name); })
          .Case([&](snn::GlobalAvgPoolOp o) -> FailureOr<Tensor> {
            return lowerGlobalAvgPool(operand(o.getInput()), name);
          })
          .Case([&](snn::ReluOp o) -> FailureOr<Tensor> {
            return mapTensor(operand(o.getInput()), name,
                             [](hl::Expr e) { return hl::max(e, 0.0f); });
          })
          .Case([&](snn::SigmoidOp o) -> FailureOr<Tensor> {
            return mapTensor(operand(o.getInput()), name, [](hl::Expr e) {
              return 1.0f / (1.0f + hl::exp(-e));
            });
          })
          .Case([&](snn::TanhOp o) -> FailureOr<Tensor> {
            return mapTensor(operand(o.getInput()), name,
                             [](hl::Expr e) { return hl::tanh(e); });
          })
          .Case([&](snn::DropoutOp o) -> FailureOr<Tensor> {
            // Identity in inference; keep the value's own Func.
            return operand(o.getInput());
          })
          .Case([&](snn::AddOp o) -> FailureOr<Tensor> {
            Tensor &a = operand(o.getLhs());
            Tensor &b = operand(o.getRhs());
            Tensor t{a.shape, hl::Func(name)};
            std::vector<hl::Var> v = makeVars(a.rank());
            std::vector<hl::Expr> args(v.begin(), v.end());
            t.func(v) = a.func(args) + b.func(args);
            return t;
          })
          .Case([&](snn::BatchNormOp o) { return lowerBatchNorm(o, name); })
          .Case([&](snn::FlattenOp o) -> FailureOr<Tensor> {
            Tensor &x = operand(o.getInput());
            Tensor t{SmallVector<int64_t, 4>(
                         cast<ShapedType>(o.getType()).getShape()),
                     hl::Func(name)};
            hl::Var f("f"), n("n");
            // Row-major: the last dimension varies fastest.
            std::vector<hl::Expr> idx;
            hl::Expr rest = f;
            for (int d = x.rank() - 1; d >= 1; --d) {
              int extent = static_cast<int>(x.shape[d]);
              idx.push_back(d == 1 ? rest : rest % extent);
              rest = rest / extent;
            }
            idx.push_back(n);
            t.func(f, n) = x.func(idx);
            return t;
          })
          .Case([&](snn::SoftmaxOp o) -> FailureOr<Tensor> {
            return lowerSoftmax(operand(o.getInput()), name);
          })
          .Default([&](Operation *other) -> FailureOr<Tensor> {
            return other->emitOpError() << "has no Halide lowering";
          });
  if (failed(result))
    return failure();
  Value v = op.getResult(0);
  values[v] = std::move(*result);
  return success();
}

LogicalResult NetworkLowering::build() {
  Block &body = fn.getBody().front();
  BlockArgument arg = body.getArgument(0);
  ArrayRef<int64_t> inShape = cast<ShapedType>(arg.getType()).getShape();
  int rank = static_cast<int>(inShape.size());
  // The input arrives as (index within a batch item, batch item): the same
  // dense memory, but kernels that read it as one long row (unpadded
  // convolutions) need no copy, and every other reader addresses it
  // affinely.
  int64_t perItem = numElements(inShape.drop_front());
  if (rank >= 2)
    inputViewShape = {inShape[0], perItem};
  else
    inputViewShape.assign(inShape.begin(), inShape.end());
  int viewRank = static_cast<int>(inputViewShape.size());
  inputParam = hl::ImageParam(hl::Float(32), viewRank, "input");
  int stride = 1;
  for (int d = 0; d < viewRank; ++d) {
    int extent = static_cast<int>(inputViewShape[viewRank - 1 - d]);
    inputParam.dim(d).set_bounds(0, extent).set_stride(stride);
    stride *= extent;
  }
  Tensor in{SmallVector<int64_t, 4>(inShape), hl::Func("input_f")};
  std::vector<hl::Var> iv = makeVars(rank);
  if (rank >= 2) {
    hl::Expr index = 0;
    int64_t step = 1;
    for (int d = 0; d < rank - 1; ++d) {
      index += iv[d] * static_cast<int>(step);
      step *= inShape[rank - 1 - d];
    }
    in.func(iv) = inputParam(index, iv[rank - 1]);
    hl::Func flat("input_flat");
    hl::Var e("e"), n("n");
    flat(e, n) = inputParam(e, n);
    in.flat = flat;
  } else {
    in.func(iv) = inputParam(iv[0]);
  }
  in.stored = true;
  values[arg] = in;

  unsigned index = 0;
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op))
      return finishOutput(operand(ret.getOperand(0)), ret.getOperand(0));
    if (fused.contains(&op)) {
      ++index;
      continue;
    }
    // Weights are packed by the layers that use them; only constants used
    // as activations need their own Func.
    if (isa<arith::ConstantOp, snn::MaskOp>(op) &&
        llvm::all_of(op.getUsers(), [&](Operation *user) {
          return isa<snn::MaskOp, snn::DenseOp, snn::Conv2DOp,
                     snn::BatchNormOp>(user) &&
                 user->getOperand(0) != op.getResult(0);
        })) {
      ++index;
      continue;
    }
    if (failed(lowerOp(op, index++)))
      return failure();
    Value v = op.getResult(0);
    // Ops fused into a kernel's epilogue map to the kernel's result.
    SmallVector<Operation *> chain;
    if (isa<snn::DenseOp, snn::Conv2DOp>(op))
      chain = epilogueChain(&op);
    // A copy first: inserting into `values` may rehash it and invalidate a
    // reference to the kernel's entry.
    Tensor kernelResult = values.find(v)->second;
    for (Operation *f : chain) {
      fused.insert(f);
      values[f->getResult(0)] = kernelResult;
    }
    if (!chain.empty())
      v = chain.back()->getResult(0);
    // A value read by several ops is computed once.
    if (!v.hasOneUse() && !v.use_empty() && !materialized.contains(v)) {
      Tensor &t = values[v];
      if (!t.stored)
        materialize(t);
      materialized.insert(v);
    }
  }
  return fn.emitOpError() << "has no func.return";
}

LogicalResult NetworkLowering::finishOutput(Tensor &result, Value value) {
  std::string name = fn.getSymName().str() + "_output";
  if (result.natural && value.hasOneUse()) {
    // The last kernel stores in the output's row-major order: let it write
    // the caller's buffer directly.
    outputFunc = *result.natural;
    for (int extent : llvm::reverse(result.naturalExtents))
      outputViewShape.push_back(extent);
  } else {
    ArrayRef<int64_t> outShape = result.shape;
    int outRank = static_cast<int>(outShape.size());
    outputFunc = hl::Func(name);
    std::vector<hl::Var> ov = makeVars(outRank);
    std::vector<hl::Expr> oargs(ov.begin(), ov.end());
    int V = spec.vectorWidth;
    bool blocked = result.batchInner && outRank == 2 && V > 1 &&
                   outShape[0] >= V && outShape[1] >= V;
    if (blocked) {
      // Held batch-inner: transpose V x V blocks in registers (vector loads
      // along the batch, shuffles) instead of a strided gather per vector.
      hl::Func bm = *result.batchInner;
      outputFunc(ov) = bm(ov[1], ov[0]);
      hl::Var io("io"), ii("ii"), no("no"), ni("ni");
      outputFunc
          .tile(ov[0], ov[1], io, no, ii, ni, V, V,
                hl::TailStrategy::ShiftInwards)
          .vectorize(ii)
          .unroll(ni);
      hl::Func block = bm.in(outputFunc);
      std::vector<hl::Var> a = block.args();
      block.compute_at(outputFunc, io)
          .store_in(hl::MemoryType::Register)
          .vectorize(a[0])
          .unroll(a[1]);
    } else {
      outputFunc(ov) = result.func(oargs);
      if (outShape.back() >= V)
        outputFunc.vectorize(ov.front(), V, hl::TailStrategy::GuardWithIf);
    }
    outputViewShape.assign(outShape.begin(), outShape.end());
  }
  hl::OutputImageParam out = outputFunc.output_buffer();
  int outRank = static_cast<int>(outputViewShape.size());
  int s = 1;
  for (int d = 0; d < outRank; ++d) {
    int extent = static_cast<int>(outputViewShape[outRank - 1 - d]);
    out.dim(d).set_bounds(0, extent).set_stride(s);
    s *= extent;
  }
  return success();
}
