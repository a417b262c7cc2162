//===- Import.cpp - snn networks to and from the training runtime -*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Train/Import.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sparsec;
using namespace sparsec::train;
namespace rt = sparsec::runtime;

namespace {

std::vector<int64_t> perExample(Type t) {
  ArrayRef<int64_t> s = cast<ShapedType>(t).getShape();
  return std::vector<int64_t>(s.begin() + 1, s.end());
}

std::string nodeName(Operation *op, unsigned index) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  return op->getName().stripDialect().str() + std::to_string(index);
}

class Importer {
public:
  explicit Importer(func::FuncOp fn) : fn(fn) {}

  FailureOr<ImportedNetwork> run();

private:
  /// Adds the parameter read by operand `index` of `user`.
  FailureOr<int> param(Operation *user, unsigned index, const std::string &name,
                       rt::ParamRole role, bool trainable = true);
  LogicalResult node(Operation &op, unsigned index);

  func::FuncOp fn;
  ImportedNetwork net;
  llvm::DenseMap<Value, int> nodeOf;
  llvm::DenseMap<Operation *, Operation *> constantUser;
};

FailureOr<int> Importer::param(Operation *user, unsigned index,
                               const std::string &name, rt::ParamRole role,
                               bool trainable) {
  Value v = user->getOperand(index);
  Binding b;
  b.user = user;
  b.operand = index;
  Value raw = v;
  if (auto mask = v.getDefiningOp<snn::MaskOp>()) {
    if (!mask->hasOneUse())
      return mask->emitOpError()
             << "is read by several ops; training needs one weight per layer";
    b.mask = mask;
    raw = mask.getWeight();
  }
  b.constant = raw.getDefiningOp();
  if (!b.constant)
    return user->emitOpError() << "reads a weight that is not a constant";
  auto [it, inserted] = constantUser.try_emplace(b.constant, user);
  if (!inserted || !raw.hasOneUse())
    return b.constant->emitOpError()
           << "is read by several ops; training needs one weight per layer "
              "(weights shared between layers cannot be trained)";
  FailureOr<Weight> w = readWeight(v);
  if (failed(w))
    return failure();
  rt::Param p;
  p.name = name;
  p.role = role;
  p.shape.assign(w->shape.begin(), w->shape.end());
  p.values = std::move(w->values);
  if (w->mask)
    p.mask = std::move(*w->mask);
  p.trainable = trainable;
  net.bindings.push_back(b);
  return net.graph.addParam(std::move(p));
}

LogicalResult Importer::node(Operation &op, unsigned index) {
  rt::Node n;
  n.name = nodeName(&op, index);
  n.shape = perExample(op.getResult(0).getType());
  auto in = [&](Value v) { return nodeOf.lookup(v); };
  auto paramOf = [&](unsigned i, const char *what, rt::ParamRole role,
                     bool trainable = true) -> FailureOr<int> {
    return param(&op, i, n.name + "." + what, role, trainable);
  };
  LogicalResult ok =
      llvm::TypeSwitch<Operation *, LogicalResult>(&op)
          .Case([&](snn::DenseOp o) -> LogicalResult {
            n.kind = rt::OpKind::Dense;
            n.inputs = {in(o.getInput())};
            FailureOr<int> w = paramOf(1, "weight", rt::ParamRole::Weight);
            if (failed(w))
              return failure();
            n.weight = *w;
            if (o.getBias()) {
              FailureOr<int> b = paramOf(2, "bias", rt::ParamRole::Bias);
              if (failed(b))
                return failure();
              n.bias = *b;
            }
            return success();
          })
          .Case([&](snn::Conv2DOp o) -> LogicalResult {
            n.kind = rt::OpKind::Conv2D;
            n.inputs = {in(o.getInput())};
            auto [sh, sw] = o.getStrideValues();
            auto [dh, dw] = o.getDilationValues();
            n.stride = {sh, sw};
            n.dilation = {dh, dw};
            n.padding = o.getPaddingValues();
            n.groups = o.getGroupCount();
            ArrayRef<int64_t> ws =
                cast<ShapedType>(o.getWeight().getType()).getShape();
            n.kernel = {ws[2], ws[3]};
            FailureOr<int> w = paramOf(1, "weight", rt::ParamRole::Weight);
            if (failed(w))
              return failure();
            n.weight = *w;
            if (o.getBias()) {
              FailureOr<int> b = paramOf(2, "bias", rt::ParamRole::Bias);
              if (failed(b))
                return failure();
              n.bias = *b;
            }
            return success();
          })
          .Case([&](snn::MaxPool2DOp o) -> LogicalResult {
            n.kind = rt::OpKind::MaxPool2D;
            n.inputs = {in(o.getInput())};
            n.kernel = o.getKernelValues();
            n.stride = o.getStrideValues();
            n.padding = o.getPaddingValues();
            n.dilation = o.getDilationValues();
            return success();
          })
          .Case([&](snn::AvgPool2DOp o) -> LogicalResult {
            n.kind = rt::OpKind::AvgPool2D;
            n.inputs = {in(o.getInput())};
            n.kernel = o.getKernelValues();
            n.stride = o.getStrideValues();
            n.padding = o.getPaddingValues();
            n.dilation = o.getDilationValues();
            n.countIncludePad = o.getCountIncludePadValue();
            return success();
          })
          .Case([&](snn::GlobalAvgPoolOp o) {
            n.kind = rt::OpKind::GlobalAvgPool;
            n.inputs = {in(o.getInput())};
            return success();
          })
          .Case([&](snn::ReluOp o) {
            n.kind = rt::OpKind::Relu;
            n.inputs = {in(o.getInput())};
            return success();
          })
          .Case([&](snn::SigmoidOp o) {
            n.kind = rt::OpKind::Sigmoid;
            n.inputs = {in(o.getInput())};
            return success();
          })
          .Case([&](snn::TanhOp o) {
            n.kind = rt::OpKind::Tanh;
            n.inputs = {in(o.getInput())};
            return success();
          })
          .Case([&](snn::DropoutOp o) {
            n.kind = rt::OpKind::Dropout;
            n.inputs = {in(o.getInput())};
            n.rate = o.getRate().convertToFloat();
            return success();
          })
          .Case([&](snn::FlattenOp o) {
            n.kind = rt::OpKind::Flatten;
            n.inputs = {in(o.getInput())};
            return success();
          })
          .Case([&](snn::SoftmaxOp o) {
            n.kind = rt::OpKind::Softmax;
            n.inputs = {in(o.getInput())};
            return success();
          })
          .Case([&](snn::AddOp o) {
            n.kind = rt::OpKind::Add;
            n.inputs = {in(o.getLhs()), in(o.getRhs())};
            return success();
          })
          .Case([&](snn::BatchNormOp o) -> LogicalResult {
            n.kind = rt::OpKind::BatchNorm;
            n.inputs = {in(o.getInput())};
            n.epsilon = o.getEpsilonValue();
            FailureOr<int> sc = paramOf(1, "scale", rt::ParamRole::Scale),
                           sh = paramOf(2, "shift", rt::ParamRole::Shift),
                           mu = paramOf(3, "mean", rt::ParamRole::Mean, false),
                           var = paramOf(4, "var", rt::ParamRole::Var, false);
            if (failed(sc) || failed(sh) || failed(mu) || failed(var))
              return failure();
            n.scale = *sc, n.shift = *sh, n.mean = *mu, n.var = *var;
            return success();
          })
          .Default([&](Operation *other) {
            return other->emitOpError() << "has no training rule";
          });
  if (failed(ok))
    return failure();
  for (Value v : op.getOperands())
    if (isa<RankedTensorType>(v.getType()) && !v.getDefiningOp<arith::ConstantOp>() &&
        !v.getDefiningOp<snn::MaskOp>() && !nodeOf.count(v))
      return op.emitOpError() << "reads a value the training runtime does "
                                 "not know";
  nodeOf[op.getResult(0)] = net.graph.add(std::move(n));
  net.ops.push_back(&op);
  return success();
}

FailureOr<ImportedNetwork> Importer::run() {
  Block &body = fn.getBody().front();
  rt::Node input;
  input.kind = rt::OpKind::Input;
  input.name = "input";
  input.shape = perExample(body.getArgument(0).getType());
  nodeOf[body.getArgument(0)] = net.graph.add(input);
  net.ops.push_back(nullptr);
  unsigned index = 0;
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      net.graph.output = nodeOf.lookup(ret.getOperand(0));
      break;
    }
    if (isa<arith::ConstantOp, snn::MaskOp>(op))
      continue;
    if (failed(node(op, index++)))
      return failure();
  }
  if (rt::Status s = net.graph.verify(); !s)
    return fn.emitOpError() << "cannot be trained: " << s.message();
  if (net.graph.output <= 0)
    return fn.emitOpError() << "returns its input; there is nothing to train";
  return std::move(net);
}

RankedTensorType withBatch(Type original, ArrayRef<int64_t> perExample,
                           Type element) {
  SmallVector<int64_t> shape{cast<ShapedType>(original).getShape().front()};
  shape.append(perExample.begin(), perExample.end());
  return RankedTensorType::get(shape, element);
}

DenseResourceElementsAttr f32Blob(RankedTensorType type, StringRef name,
                                  ArrayRef<float> values) {
  return DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(values));
}

DenseResourceElementsAttr maskBlob(RankedTensorType type, StringRef name,
                                   ArrayRef<uint8_t> mask) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(mask.data()),
                       mask.size());
  return DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 1));
}

std::string blobName(const std::string &paramName) {
  std::string s;
  for (char c : paramName)
    s += isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

} // namespace

FailureOr<ImportedNetwork> sparsec::train::importNetwork(func::FuncOp fn) {
  return Importer(fn).run();
}

LogicalResult sparsec::train::exportNetwork(func::FuncOp fn,
                                            const ImportedNetwork &net) {
  MLIRContext *ctx = fn.getContext();
  Type f32 = Float32Type::get(ctx), i1 = IntegerType::get(ctx, 1);
  // Shapes first (growth changes hidden layers), so that weights and masks
  // are built with the final types.
  for (size_t i = 1; i < net.graph.nodes.size(); ++i) {
    Operation *op = net.ops[i];
    Value r = op->getResult(0);
    RankedTensorType t = withBatch(r.getType(), net.graph.nodes[i].shape, f32);
    if (t != r.getType())
      r.setType(t);
  }
  for (size_t p = 0; p < net.graph.params.size(); ++p) {
    const rt::Param &prm = net.graph.params[p];
    const Binding &b = net.bindings[p];
    auto type = RankedTensorType::get(prm.shape, f32);
    auto maskType = RankedTensorType::get(prm.shape, i1);
    std::string name = blobName(prm.name);
    std::vector<float> values = prm.values;
    for (size_t i = 0; i < values.size(); ++i)
      if (!prm.kept(static_cast<int64_t>(i)))
        values[i] = 0.0f;
    auto cst = cast<arith::ConstantOp>(b.constant);
    cst.setValueAttr(f32Blob(type, name, values));
    cst.getResult().setType(type);
    bool allKept = llvm::all_of(prm.mask, [](uint8_t m) { return m != 0; });
    if (b.mask) {
      auto maskOp = cast<snn::MaskOp>(b.mask);
      maskOp.getResult().setType(type);
      auto maskCst = maskOp.getMask().getDefiningOp<arith::ConstantOp>();
      if (!maskCst)
        return maskOp.emitOpError() << "has a mask that is not a constant";
      std::vector<uint8_t> m =
          prm.hasMask() ? prm.mask : std::vector<uint8_t>(values.size(), 1);
      if (!maskCst->hasOneUse()) {
        OpBuilder builder(maskOp);
        maskCst = builder.create<arith::ConstantOp>(
            maskCst.getLoc(), maskType, maskBlob(maskType, name + "_mask", m));
        maskOp->setOperand(1, maskCst);
      } else {
        maskCst.setValueAttr(maskBlob(maskType, name + "_mask", m));
        maskCst.getResult().setType(maskType);
      }
    } else if (prm.hasMask() && !allKept) {
      OpBuilder builder(b.user);
      Location loc = b.user->getLoc();
      auto maskCst = builder.create<arith::ConstantOp>(
          loc, maskType, maskBlob(maskType, name + "_mask", prm.mask));
      auto maskOp = builder.create<snn::MaskOp>(loc, type, cst.getResult(),
                                                maskCst.getResult());
      b.user->setOperand(b.operand, maskOp.getResult());
    }
  }
  return verifyNetwork(fn);
}
