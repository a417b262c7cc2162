//===- Onnx.cpp - ONNX models to snn networks -------------------*- C++ -*-===//
//
// Part of sparsec.
//
// The graph's nodes are converted in their (topological) order. Each tensor
// name maps either to an activation (an MLIR value) or to a constant (an
// initializer or a Constant node's value, kept as numbers until a node uses
// it as a weight). Every error is an llvm::Error whose text names the node.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Import/Onnx.h"

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <map>
#include <optional>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::import;

namespace {

/// A constant tensor: an initializer or a Constant node's value.
struct Constant {
  SmallVector<int64_t> shape;
  std::vector<float> f;   // FLOAT and DOUBLE tensors
  std::vector<int64_t> i; // INT64 and INT32 tensors
  bool isInt = false;
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

std::string shapeString(ArrayRef<int64_t> shape) {
  return snn::formatShape(shape);
}

class Importer {
public:
  Importer(StringRef path, MLIRContext &ctx, const OnnxOptions &options,
           OnnxSummary &summary)
      : path(path.str()), ctx(ctx), b(&ctx), options(options),
        summary(summary) {}

  llvm::Expected<OwningOpRef<ModuleOp>> run();

private:
  // Errors.
  llvm::Error fail(const Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": " + msg);
  }
  std::string where(const onnx::NodeProto &node) const {
    std::string name =
        node.name().empty() ? "#" + std::to_string(nodeIndex) : node.name();
    return "node '" + name + "' (" + node.op_type() + ")";
  }
  llvm::Error failNode(const onnx::NodeProto &node, const Twine &msg) {
    return fail(where(node) + ": " + msg);
  }

  // Reading the model.
  llvm::Error readTensor(const onnx::TensorProto &t, Constant &out);
  llvm::Error convertNode(const onnx::NodeProto &node);
  llvm::Error checkAttributes(const onnx::NodeProto &node,
                              std::initializer_list<StringRef> known);
  const onnx::AttributeProto *attr(const onnx::NodeProto &node,
                                   StringRef name) {
    for (const onnx::AttributeProto &a : node.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t intAttr(const onnx::NodeProto &node, StringRef name, int64_t dflt) {
    const onnx::AttributeProto *a = attr(node, name);
    return a ? a->i() : dflt;
  }
  float floatAttr(const onnx::NodeProto &node, StringRef name, float dflt) {
    const onnx::AttributeProto *a = attr(node, name);
    return a ? a->f() : dflt;
  }
  SmallVector<int64_t> intsAttr(const onnx::NodeProto &node, StringRef name,
                                SmallVector<int64_t> dflt) {
    const onnx::AttributeProto *a = attr(node, name);
    if (!a)
      return dflt;
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  }

  // Operands.
  llvm::Expected<Value> activation(const onnx::NodeProto &node, int index);
  llvm::Expected<const Constant *> constant(const onnx::NodeProto &node,
                                            int index, StringRef role);
  bool hasInput(const onnx::NodeProto &node, int index) const {
    return node.input_size() > index && !node.input(index).empty();
  }
  llvm::Error onlyFirstOutputUsed(const onnx::NodeProto &node);
  void define(const onnx::NodeProto &node, Value v) {
    values[node.output(0)] = v;
  }

  // Building.
  Location loc(const onnx::NodeProto &node) {
    std::string name =
        node.name().empty() ? node.op_type() + "#" + std::to_string(nodeIndex)
                            : node.name();
    return NameLoc::get(StringAttr::get(&ctx, name),
                        FileLineColLoc::get(&ctx, path, 0, 0));
  }
  Value f32Blob(Location l, ArrayRef<int64_t> shape, ArrayRef<float> values);
  Value weight(Location l, ArrayRef<int64_t> shape, ArrayRef<float> values);
  llvm::Expected<Value> build(const onnx::NodeProto &node, StringRef name,
                              ValueRange operands,
                              ArrayRef<NamedAttribute> attrs = {});
  llvm::Expected<SmallVector<int64_t>>
  windowPads(const onnx::NodeProto &node, ArrayRef<int64_t> inShape,
             ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> dilations);

  // Ops.
  llvm::Error convertConv(const onnx::NodeProto &node);
  llvm::Error convertGemm(const onnx::NodeProto &node);
  llvm::Error convertMatMul(const onnx::NodeProto &node);
  llvm::Error convertAdd(const onnx::NodeProto &node);
  llvm::Error convertPool(const onnx::NodeProto &node, bool max);
  llvm::Error convertFlatten(const onnx::NodeProto &node);
  llvm::Error convertReshape(const onnx::NodeProto &node);
  llvm::Error convertSoftmax(const onnx::NodeProto &node);
  llvm::Error convertBatchNorm(const onnx::NodeProto &node);

  std::string path;
  MLIRContext &ctx;
  OpBuilder b;
  const OnnxOptions &options;
  OnnxSummary &summary;
  int64_t opset = 0;
  int nodeIndex = 0;
  std::map<std::string, Constant> constants;
  std::map<std::string, Value> values;
  /// How many nodes (and graph outputs) read each tensor.
  std::map<std::string, int> readers;
  /// The diagnostics MLIR emitted while building the current node.
  std::string diagnostics;
};

} // namespace

llvm::Error Importer::readTensor(const onnx::TensorProto &t, Constant &out) {
  std::string name = "tensor '" + t.name() + "'";
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return fail(name + " keeps its data in an external file; export the "
                       "model with its weights inside it");
  out.shape.assign(t.dims().begin(), t.dims().end());
  for (int64_t d : out.shape)
    if (d < 0)
      return fail(name + " has a negative dimension");
  int64_t n = out.size();
  const std::string &raw = t.raw_data();
  bool hasRaw = t.has_raw_data();
  auto rawCount = [&](size_t elementBytes) -> llvm::Error {
    if (raw.size() != size_t(n) * elementBytes)
      return fail(name + " of shape " + shapeString(out.shape) + " holds " +
                  Twine(raw.size()) + " bytes of data, not " +
                  Twine(size_t(n) * elementBytes));
    return llvm::Error::success();
  };
  auto count = [&](int64_t have) -> llvm::Error {
    if (have != n)
      return fail(name + " of shape " + shapeString(out.shape) + " holds " +
                  Twine(have) + " values, not " + Twine(n));
    return llvm::Error::success();
  };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (hasRaw) {
      if (llvm::Error e = rawCount(4))
        return e;
      out.f.resize(n);
      std::memcpy(out.f.data(), raw.data(), raw.size());
    } else {
      if (llvm::Error e = count(t.float_data_size()))
        return e;
      out.f.assign(t.float_data().begin(), t.float_data().end());
    }
    break;
  case onnx::TensorProto::DOUBLE:
    if (hasRaw) {
      if (llvm::Error e = rawCount(8))
        return e;
      std::vector<double> d(n);
      std::memcpy(d.data(), raw.data(), raw.size());
      out.f.assign(d.begin(), d.end());
    } else {
      if (llvm::Error e = count(t.double_data_size()))
        return e;
      out.f.assign(t.double_data().begin(), t.double_data().end());
    }
    break;
  case onnx::TensorProto::INT64:
    out.isInt = true;
    if (hasRaw) {
      if (llvm::Error e = rawCount(8))
        return e;
      out.i.resize(n);
      std::memcpy(out.i.data(), raw.data(), raw.size());
    } else {
      if (llvm::Error e = count(t.int64_data_size()))
        return e;
      out.i.assign(t.int64_data().begin(), t.int64_data().end());
    }
    break;
  case onnx::TensorProto::INT32:
    out.isInt = true;
    if (hasRaw) {
      if (llvm::Error e = rawCount(4))
        return e;
      std::vector<int32_t> d(n);
      std::memcpy(d.data(), raw.data(), raw.size());
      out.i.assign(d.begin(), d.end());
    } else {
      if (llvm::Error e = count(t.int32_data_size()))
        return e;
      out.i.assign(t.int32_data().begin(), t.int32_data().end());
    }
    break;
  default:
    return fail(name + " has element type " +
                onnx::TensorProto::DataType_Name(
                    onnx::TensorProto::DataType(t.data_type())) +
                "; sparsec takes FLOAT weights (and INT64 shapes)");
  }
  for (size_t k = 0; k < out.f.size(); ++k)
    if (!std::isfinite(out.f[k]))
      return fail(name + " holds a non-finite value (" + std::to_string(out.f[k]) +
                  ") at element " + Twine(uint64_t(k)));
  return llvm::Error::success();
}

llvm::Error Importer::checkAttributes(const onnx::NodeProto &node,
                                      std::initializer_list<StringRef> known) {
  for (const onnx::AttributeProto &a : node.attribute())
    if (!llvm::is_contained(known, a.name()))
      return failNode(node, "attribute '" + a.name() + "' is not supported");
  return llvm::Error::success();
}

llvm::Expected<Value> Importer::activation(const onnx::NodeProto &node,
                                           int index) {
  if (!hasInput(node, index))
    return failNode(node, "input " + Twine(index) + " is missing");
  const std::string &name = node.input(index);
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  if (constants.count(name))
    return failNode(node, "input " + Twine(index) + " ('" + name +
                              "') is a constant; sparsec takes it only as "
                              "an activation here");
  return failNode(node, "input '" + name +
                            "' is not defined before the node (the graph "
                            "is not in topological order)");
}

llvm::Expected<const Constant *>
Importer::constant(const onnx::NodeProto &node, int index, StringRef role) {
  if (!hasInput(node, index))
    return failNode(node, "the " + role + " (input " + Twine(index) +
                              ") is missing");
  const std::string &name = node.input(index);
  auto it = constants.find(name);
  if (it != constants.end())
    return &it->second;
  if (values.count(name))
    return failNode(node, "the " + role + " ('" + name +
                              "') is computed at run time; sparsec needs "
                              "it as a constant (an initializer)");
  return failNode(node, "input '" + name + "' is not defined before the node");
}

llvm::Error Importer::onlyFirstOutputUsed(const onnx::NodeProto &node) {
  for (int k = 1; k < node.output_size(); ++k)
    if (!node.output(k).empty() && readers[node.output(k)] > 0)
      return failNode(node, "output " + Twine(k) + " ('" + node.output(k) +
                                "') is used; sparsec supports only the "
                                "first output of this op");
  return llvm::Error::success();
}

Value Importer::f32Blob(Location l, ArrayRef<int64_t> shape,
                        ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  auto attr = DenseResourceElementsAttr::get(
      type, "w", HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  return b.create<arith::ConstantOp>(l, type, attr);
}

Value Importer::weight(Location l, ArrayRef<int64_t> shape,
                       ArrayRef<float> values) {
  Value w = f32Blob(l, shape, values);
  if (llvm::all_of(values, [](float v) { return v != 0.0f; }))
    return w;
  std::vector<uint8_t> mask(values.size());
  for (size_t k = 0; k < values.size(); ++k)
    mask[k] = values[k] != 0.0f;
  auto type = RankedTensorType::get(shape, b.getI1Type());
  // An i1 blob holds one byte (0 or 1) per element.
  auto attr = DenseResourceElementsAttr::get(
      type, "m", HeapAsmResourceBlob::allocateAndCopyInferAlign(
                     ArrayRef<uint8_t>(mask)));
  Value m = b.create<arith::ConstantOp>(l, type, attr);
  ++summary.maskedWeights;
  return b.create<snn::MaskOp>(l, w.getType(), w, m);
}

llvm::Expected<Value> Importer::build(const onnx::NodeProto &node,
                                      StringRef name, ValueRange operands,
                                      ArrayRef<NamedAttribute> attrs) {
  OperationState state(loc(node), name);
  state.addOperands(operands);
  state.addAttributes(attrs);
  // A placeholder result type, replaced by the inferred one below.
  state.addTypes(operands.front().getType());
  Operation *op = b.create(state);
  diagnostics.clear();
  FailureOr<SmallVector<int64_t>> shape =
      snn::inferResultShape(op, /*diagnose=*/true);
  if (failed(shape)) {
    std::string msg = diagnostics.empty() ? std::string("invalid operands")
                                          : diagnostics;
    op->erase();
    return failNode(node, msg);
  }
  op->getResult(0).setType(
      RankedTensorType::get(*shape, b.getF32Type()));
  ++summary.ops;
  return op->getResult(0);
}

/// The [top, left, bottom, right] padding of a window op, from `pads` or
/// `auto_pad`.
llvm::Expected<SmallVector<int64_t>>
Importer::windowPads(const onnx::NodeProto &node, ArrayRef<int64_t> inShape,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> dilations) {
  std::string autoPad = "NOTSET";
  if (const onnx::AttributeProto *a = attr(node, "auto_pad"))
    autoPad = a->s();
  if (autoPad == "NOTSET" || autoPad.empty()) {
    SmallVector<int64_t> pads = intsAttr(node, "pads", {0, 0, 0, 0});
    if (pads.size() != 4)
      return failNode(node, "attribute 'pads' has " + Twine(pads.size()) +
                                " values; a 2-D window takes 4");
    for (int64_t p : pads)
      if (p < 0)
        return failNode(node, "attribute 'pads' has a negative value");
    return pads;
  }
  if (attr(node, "pads"))
    return failNode(node, "attributes 'pads' and 'auto_pad' both given");
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return failNode(node, "attribute 'auto_pad' = '" + autoPad +
                              "' is not supported");
  SmallVector<int64_t> pads(4, 0);
  for (int d = 0; d < 2; ++d) {
    int64_t in = inShape[2 + d];
    int64_t out = (in + strides[d] - 1) / strides[d];
    int64_t span = (kernel[d] - 1) * dilations[d] + 1;
    int64_t total = std::max<int64_t>((out - 1) * strides[d] + span - in, 0);
    int64_t small = total / 2, large = total - small;
    pads[d] = autoPad == "SAME_UPPER" ? small : large;
    pads[2 + d] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

llvm::Error Importer::convertConv(const onnx::NodeProto &node) {
  if (llvm::Error e = checkAttributes(
          node, {"auto_pad", "dilations", "group", "kernel_shape", "pads",
                 "strides"}))
    return e;
  llvm::Expected<Value> x = activation(node, 0);
  if (!x)
    return x.takeError();
  llvm::Expected<const Constant *> w = constant(node, 1, "weight");
  if (!w)
    return w.takeError();
  if (shapeOf(*x).size() != 4 || (*w)->shape.size() != 4)
    return failNode(node, "sparsec supports 2-D convolutions (4-D input and "
                          "weight), not input " +
                              shapeString(shapeOf(*x)) + " and weight " +
                              shapeString((*w)->shape));
  ArrayRef<int64_t> ws = (*w)->shape;
  SmallVector<int64_t> kernel = intsAttr(node, "kernel_shape", {ws[2], ws[3]});
  if (kernel.size() != 2 || kernel[0] != ws[2] || kernel[1] != ws[3])
    return failNode(node, "attribute 'kernel_shape' does not match the "
                          "weight's shape " +
                              shapeString(ws));
  SmallVector<int64_t> strides = intsAttr(node, "strides", {1, 1});
  SmallVector<int64_t> dilations = intsAttr(node, "dilations", {1, 1});
  if (strides.size() != 2 || dilations.size() != 2)
    return failNode(node, "attributes 'strides' and 'dilations' take 2 "
                          "values each");
  llvm::Expected<SmallVector<int64_t>> pads =
      windowPads(node, shapeOf(*x), kernel, strides, dilations);
  if (!pads)
    return pads.takeError();
  int64_t groups = intAttr(node, "group", 1);
  Location l = loc(node);
  SmallVector<Value> operands = {*x, weight(l, ws, (*w)->f)};
  if (hasInput(node, 2)) {
    llvm::Expected<const Constant *> bias = constant(node, 2, "bias");
    if (!bias)
      return bias.takeError();
    operands.push_back(f32Blob(l, {(*bias)->size()}, (*bias)->f));
  }
  llvm::Expected<Value> y = build(
      node, "snn.conv2d", operands,
      {b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)),
       b.getNamedAttr("padding", b.getDenseI64ArrayAttr(*pads)),
       b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)),
       b.getNamedAttr("groups", b.getI64IntegerAttr(groups))});
  if (!y)
    return y.takeError();
  define(node, *y);
  return llvm::Error::success();
}

llvm::Error Importer::convertGemm(const onnx::NodeProto &node) {
  if (llvm::Error e =
          checkAttributes(node, {"alpha", "beta", "transA", "transB"}))
    return e;
  if (intAttr(node, "transA", 0) != 0)
    return failNode(node, "attribute 'transA' = 1 is not supported (the "
                          "activation must not be transposed)");
  llvm::Expected<Value> x = activation(node, 0);
  if (!x)
    return x.takeError();
  llvm::Expected<const Constant *> w = constant(node, 1, "weight");
  if (!w)
    return w.takeError();
  if (shapeOf(*x).size() != 2 || (*w)->shape.size() != 2)
    return failNode(node, "input " + shapeString(shapeOf(*x)) +
                              " and weight " + shapeString((*w)->shape) +
                              " are not both 2-D");
  float alpha = floatAttr(node, "alpha", 1.0f);
  float beta = floatAttr(node, "beta", 1.0f);
  bool transB = intAttr(node, "transB", 0) != 0;
  int64_t rows = (*w)->shape[0], cols = (*w)->shape[1];
  // snn.dense takes the weight as M x K (PyTorch's nn.Linear layout).
  int64_t m = transB ? rows : cols, k = transB ? cols : rows;
  std::vector<float> wt(m * k);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < k; ++j)
      wt[i * k + j] =
          alpha * (transB ? (*w)->f[i * cols + j] : (*w)->f[j * cols + i]);
  Location l = loc(node);
  SmallVector<Value> operands = {*x, weight(l, {m, k}, wt)};
  if (hasInput(node, 2)) {
    llvm::Expected<const Constant *> c = constant(node, 2, "bias");
    if (!c)
      return c.takeError();
    std::vector<float> bias(m);
    if ((*c)->size() == m && (*c)->shape.size() <= 2 &&
        ((*c)->shape.size() < 2 || (*c)->shape[0] == 1)) {
      for (int64_t i = 0; i < m; ++i)
        bias[i] = beta * (*c)->f[i];
    } else if ((*c)->size() == 1) {
      for (int64_t i = 0; i < m; ++i)
        bias[i] = beta * (*c)->f[0];
    } else {
      return failNode(node, "the bias " + shapeString((*c)->shape) +
                                " does not broadcast along the " + Twine(m) +
                                " outputs alone");
    }
    operands.push_back(f32Blob(l, {m}, bias));
  }
  llvm::Expected<Value> y = build(node, "snn.dense", operands);
  if (!y)
    return y.takeError();
  define(node, *y);
  return llvm::Error::success();
}

llvm::Error Importer::convertMatMul(const onnx::NodeProto &node) {
  if (llvm::Error e = checkAttributes(node, {}))
    return e;
  llvm::Expected<Value> x = activation(node, 0);
  if (!x)
    return x.takeError();
  llvm::Expected<const Constant *> w = constant(node, 1, "weight");
  if (!w)
    return w.takeError();
  if (shapeOf(*x).size() != 2 || (*w)->shape.size() != 2)
    return failNode(node, "input " + shapeString(shapeOf(*x)) +
                              " and weight " + shapeString((*w)->shape) +
                              " are not both 2-D");
  int64_t k = (*w)->shape[0], m = (*w)->shape[1];
  std::vector<float> wt(m * k);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < k; ++j)
      wt[i * k + j] = (*w)->f[j * m + i];
  llvm::Expected<Value> y =
      build(node, "snn.dense", {*x, weight(loc(node), {m, k}, wt)});
  if (!y)
    return y.takeError();
  define(node, *y);
  return llvm::Error::success();
}

llvm::Error Importer::convertAdd(const onnx::NodeProto &node) {
  if (llvm::Error e = checkAttributes(node, {}))
    return e;
  if (node.input_size() != 2)
    return failNode(node, "takes 2 inputs, not " + Twine(node.input_size()));
  bool c0 = constants.count(node.input(0)), c1 = constants.count(node.input(1));
  if (!c0 && !c1) {
    llvm::Expected<Value> a = activation(node, 0);
    if (!a)
      return a.takeError();
    llvm::Expected<Value> c = activation(node, 1);
    if (!c)
      return c.takeError();
    if (shapeOf(*a) != shapeOf(*c))
      return failNode(node, "adds " + shapeString(shapeOf(*a)) + " and " +
                                shapeString(shapeOf(*c)) +
                                "; sparsec adds tensors of the same shape "
                                "(no broadcasting)");
    llvm::Expected<Value> y = build(node, "snn.add", {*a, *c});
    if (!y)
      return y.takeError();
    define(node, *y);
    return llvm::Error::success();
  }
  if (c0 && c1)
    return failNode(node, "adds two constants (fold them before export)");
  // An activation plus a constant: the bias of the dense or convolution
  // that computed the activation (MatMul + Add is how ONNX writes Linear).
  int act = c0 ? 1 : 0;
  llvm::Expected<Value> x = activation(node, act);
  if (!x)
    return x.takeError();
  const Constant &c = constants[node.input(1 - act)];
  Operation *producer = x->getDefiningOp();
  bool layer = producer && isa<snn::DenseOp, snn::Conv2DOp>(producer) &&
               producer->getNumOperands() == 2;
  if (!layer || readers[node.input(act)] != 1)
    return failNode(node, "adds a constant to '" + node.input(act) +
                              "'; sparsec takes a constant addend only as "
                              "the bias of the MatMul, Gemm or Conv that "
                              "computes it (and nothing else reads)");
  int64_t channels = shapeOf(*x)[1];
  bool fits = c.size() == channels;
  // The channel must be the only dimension that is not 1, in the position
  // that broadcasts along dimension 1 of the activation.
  int64_t rank = shapeOf(*x).size();
  if (fits && int64_t(c.shape.size()) > rank - 1)
    fits = c.shape[c.shape.size() - (rank - 1)] == channels;
  if (!fits)
    return failNode(node, "the constant " + shapeString(c.shape) +
                              " does not broadcast along the " +
                              Twine(channels) + " channels alone");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(producer);
  Value bias = f32Blob(loc(node), {channels}, c.f);
  producer->insertOperands(2, bias);
  define(node, *x);
  return llvm::Error::success();
}

llvm::Error Importer::convertPool(const onnx::NodeProto &node, bool max) {
  if (max) {
    if (llvm::Error e = checkAttributes(
            node, {"auto_pad", "ceil_mode", "dilations", "kernel_shape",
                   "pads", "storage_order", "strides"}))
      return e;
  } else if (llvm::Error e = checkAttributes(
                 node, {"auto_pad", "ceil_mode", "count_include_pad",
                        "kernel_shape", "pads", "strides"})) {
    return e;
  }
  if (llvm::Error e = onlyFirstOutputUsed(node))
    return e;
  llvm::Expected<Value> x = activation(node, 0);
  if (!x)
    return x.takeError();
  if (shapeOf(*x).size() != 4)
    return failNode(node, "input " + shapeString(shapeOf(*x)) +
                              " is not 4-D (N x C x H x W)");
  SmallVector<int64_t> kernel = intsAttr(node, "kernel_shape", {});
  if (kernel.size() != 2)
    return failNode(node, "attribute 'kernel_shape' must give 2 values");
  SmallVector<int64_t> strides = intsAttr(node, "strides", {1, 1});
  SmallVector<int64_t> dilations = intsAttr(node, "dilations", {1, 1});
  if (strides.size() != 2)
    return failNode(node, "attribute 'strides' must give 2 values");
  if (dilations != SmallVector<int64_t>{1, 1})
    return failNode(node, "attribute 'dilations' other than 1 is not "
                          "supported");
  llvm::Expected<SmallVector<int64_t>> pads =
      windowPads(node, shapeOf(*x), kernel, strides, dilations);
  if (!pads)
    return pads.takeError();
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("kernel", b.getDenseI64ArrayAttr(kernel)),
      b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)),
      b.getNamedAttr("padding", b.getDenseI64ArrayAttr(*pads))};
  if (intAttr(node, "ceil_mode", 0))
    attrs.push_back(b.getNamedAttr("ceil_mode", b.getBoolAttr(true)));
  if (!max)
    attrs.push_back(b.getNamedAttr(
        "count_include_pad",
        b.getBoolAttr(intAttr(node, "count_include_pad", 0) != 0)));
  llvm::Expected<Value> y =
      build(node, max ? "snn.maxpool2d" : "snn.avgpool2d", {*x}, attrs);
  if (!y)
    return y.takeError();
  define(node, *y);
  return llvm::Error::success();
}

llvm::Error Importer::convertFlatten(const onnx::NodeProto &node) {
  if (llvm::Error e = checkAttributes(node, {"axis"}))
    return e;
  llvm::Expected<Value> x = activation(node, 0);
  if (!x)
    return x.takeError();
  int64_t rank = shapeOf(*x).size();
  int64_t axis = intAttr(node, "axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis != 1)
    return failNode(node, "attribute 'axis' = " +
                              Twine(intAttr(node, "axis", 1)) +
                              " is not supported (only 1: keep the batch)");
  if (rank == 2) {
    define(node, *x);
    return llvm::Error::success();
  }
  llvm::Expected<Value> y = build(node, "snn.flatten", {*x});
  if (!y)
    return y.takeError();
  define(node, *y);
  return llvm::Error::success();
}

llvm::Error Importer::convertReshape(const onnx::NodeProto &node) {
  if (llvm::Error e = checkAttributes(node, {"allowzero"}))
    return e;
  if (intAttr(node, "allowzero", 0) != 0)
    return failNode(node, "attribute 'allowzero' = 1 is not supported");
  llvm::Expected<Value> x = activation(node, 0);
  if (!x)
    return x.takeError();
  llvm::Expected<const Constant *> s = constant(node, 1, "shape");
  if (!s)
    return s.takeError();
  if (!(*s)->isInt || (*s)->shape.size() != 1)
    return failNode(node, "the shape is not a 1-D INT64 tensor");
  ArrayRef<int64_t> in = shapeOf(*x);
  SmallVector<int64_t> target((*s)->i.begin(), (*s)->i.end());
  int64_t known = 1, infer = -1;
  for (size_t d = 0; d < target.size(); ++d) {
    if (target[d] == 0 && d < in.size())
      target[d] = in[d];
    if (target[d] == -1 && infer < 0)
      infer = d;
    else if (target[d] > 0)
      known *= target[d];
    else
      return failNode(node, "the shape has an invalid entry " +
                                Twine((*s)->i[d]));
  }
  int64_t total = numElements(in);
  if (infer >= 0 && known > 0)
    target[infer] = total / known;
  if (numElements(target) != total)
    return failNode(node, "cannot reshape " + shapeString(in) + " to " +
                              shapeString(target));
  if (ArrayRef<int64_t>(target) == in) {
    define(node, *x);
    return llvm::Error::success();
  }
  if (in.size() == 4 && target.size() == 2 && target[0] == in[0]) {
    llvm::Expected<Value> y = build(node, "snn.flatten", {*x});
    if (!y)
      return y.takeError();
    define(node, *y);
    return llvm::Error::success();
  }
  return failNode(node, "reshapes " + shapeString(in) + " to " +
                            shapeString(target) +
                            "; sparsec supports only the flatten of "
                            "N x C x H x W to N x (C*H*W)");
}

llvm::Error Importer::convertSoftmax(const onnx::NodeProto &node) {
  if (llvm::Error e = checkAttributes(node, {"axis"}))
    return e;
  llvm::Expected<Value> x = activation(node, 0);
  if (!x)
    return x.takeError();
  int64_t rank = shapeOf(*x).size();
  int64_t axis = intAttr(node, "axis", opset >= 13 ? -1 : 1);
  if (axis < 0)
    axis += rank;
  if (rank != 2 || axis != 1)
    return failNode(node, "softmax over axis " +
                              Twine(intAttr(node, "axis", opset >= 13 ? -1
                                                                      : 1)) +
                              " of " + shapeString(shapeOf(*x)) +
                              " is not supported (only the last axis of "
                              "N x F)");
  llvm::Expected<Value> y = build(node, "snn.softmax", {*x});
  if (!y)
    return y.takeError();
  define(node, *y);
  return llvm::Error::success();
}

llvm::Error Importer::convertBatchNorm(const onnx::NodeProto &node) {
  if (llvm::Error e = checkAttributes(
          node, {"epsilon", "momentum", "training_mode", "spatial"}))
    return e;
  if (intAttr(node, "training_mode", 0) != 0)
    return failNode(node, "attribute 'training_mode' = 1 is not supported "
                          "(export the model in eval mode)");
  if (intAttr(node, "spatial", 1) != 1)
    return failNode(node, "attribute 'spatial' = 0 is not supported");
  if (llvm::Error e = onlyFirstOutputUsed(node))
    return e;
  llvm::Expected<Value> x = activation(node, 0);
  if (!x)
    return x.takeError();
  SmallVector<Value> operands = {*x};
  Location l = loc(node);
  const char *roles[] = {"scale", "shift", "mean", "variance"};
  for (int k = 1; k <= 4; ++k) {
    llvm::Expected<const Constant *> c = constant(node, k, roles[k - 1]);
    if (!c)
      return c.takeError();
    operands.push_back(f32Blob(l, {(*c)->size()}, (*c)->f));
  }
  llvm::Expected<Value> y = build(
      node, "snn.batchnorm", operands,
      {b.getNamedAttr("epsilon",
                      b.getF32FloatAttr(floatAttr(node, "epsilon", 1e-5f)))});
  if (!y)
    return y.takeError();
  define(node, *y);
  return llvm::Error::success();
}

llvm::Error Importer::convertNode(const onnx::NodeProto &node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return failNode(node, "op domain '" + node.domain() +
                              "' is not supported (only the default ONNX "
                              "domain)");
  if (node.output_size() < 1 || node.output(0).empty())
    return failNode(node, "has no output");
  const std::string &type = node.op_type();
  if (type == "Constant") {
    if (llvm::Error e = checkAttributes(node, {"value"}))
      return e;
    const onnx::AttributeProto *v = attr(node, "value");
    if (!v)
      return failNode(node, "has no attribute 'value'");
    Constant c;
    if (llvm::Error e = readTensor(v->t(), c))
      return e;
    constants[node.output(0)] = std::move(c);
    return llvm::Error::success();
  }
  if (type == "Conv")
    return convertConv(node);
  if (type == "Gemm")
    return convertGemm(node);
  if (type == "MatMul")
    return convertMatMul(node);
  if (type == "Add")
    return convertAdd(node);
  if (type == "MaxPool")
    return convertPool(node, /*max=*/true);
  if (type == "AveragePool")
    return convertPool(node, /*max=*/false);
  if (type == "Flatten")
    return convertFlatten(node);
  if (type == "Reshape")
    return convertReshape(node);
  if (type == "Softmax")
    return convertSoftmax(node);
  if (type == "BatchNormalization")
    return convertBatchNorm(node);
  if (type == "Relu" || type == "Sigmoid" || type == "Tanh" ||
      type == "GlobalAveragePool") {
    if (llvm::Error e = checkAttributes(node, {}))
      return e;
    llvm::Expected<Value> x = activation(node, 0);
    if (!x)
      return x.takeError();
    const char *name = type == "Relu"      ? "snn.relu"
                       : type == "Sigmoid" ? "snn.sigmoid"
                       : type == "Tanh"    ? "snn.tanh"
                                           : "snn.global_avgpool";
    llvm::Expected<Value> y = build(node, name, {*x});
    if (!y)
      return y.takeError();
    define(node, *y);
    return llvm::Error::success();
  }
  if (type == "Dropout" || type == "Identity") {
    // Inference: dropout passes its input through. Its ratio and
    // training_mode inputs (opset 12+) and seed attribute do not matter.
    if (type == "Dropout") {
      if (llvm::Error e = checkAttributes(node, {"ratio", "seed", "is_test"}))
        return e;
      if (llvm::Error e = onlyFirstOutputUsed(node))
        return e;
    }
    llvm::Expected<Value> x = activation(node, 0);
    if (!x)
      return x.takeError();
    define(node, *x);
    return llvm::Error::success();
  }
  return failNode(node, "op type '" + type + "' is not supported");
}

llvm::Expected<OwningOpRef<ModuleOp>> Importer::run() {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fail("cannot read: " + buffer.getError().message());
  onnx::ModelProto model;
  if ((*buffer)->getBufferSize() > size_t(INT32_MAX))
    return fail("is larger than the 2 GiB a protobuf message can hold");
  if (!model.ParseFromArray((*buffer)->getBufferStart(),
                            int((*buffer)->getBufferSize())))
    return fail("is not an ONNX model (protobuf parsing failed)");
  if (!model.has_graph())
    return fail("is not an ONNX model (it has no graph)");
  for (const onnx::OperatorSetIdProto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  if (opset == 0)
    return fail("imports no opset of the default ONNX domain");
  if (opset < 7 || opset > 18)
    return fail("uses opset " + Twine(opset) +
                "; sparsec imports opsets 7 to 18");
  summary.opset = opset;
  const onnx::GraphProto &graph = model.graph();

  for (const onnx::TensorProto &t : graph.initializer()) {
    Constant c;
    if (llvm::Error e = readTensor(t, c))
      return std::move(e);
    constants[t.name()] = std::move(c);
  }
  if (graph.sparse_initializer_size() > 0)
    return fail("has sparse initializers; export with dense weights (zeros "
                "become masks)");
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &in : node.input())
      ++readers[in];
  for (const onnx::ValueInfoProto &o : graph.output())
    ++readers[o.name()];

  // The input: the one graph input that is not an initializer.
  const onnx::ValueInfoProto *input = nullptr;
  for (const onnx::ValueInfoProto &in : graph.input()) {
    if (constants.count(in.name()))
      continue;
    if (input)
      return fail("has more than one input ('" + input->name() + "' and '" +
                  in.name() + "'); a network takes one");
    input = &in;
  }
  if (!input)
    return fail("has no input");
  if (graph.output_size() != 1)
    return fail("has " + Twine(graph.output_size()) +
                " outputs; a network returns one");
  const onnx::TypeProto &type = input->type();
  if (!type.has_tensor_type() ||
      type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    return fail("input '" + input->name() + "' is not a FLOAT tensor");
  SmallVector<int64_t> inShape;
  const onnx::TensorShapeProto &dims = type.tensor_type().shape();
  for (int d = 0; d < dims.dim_size(); ++d) {
    const onnx::TensorShapeProto::Dimension &dim = dims.dim(d);
    if (dim.has_dim_value() && dim.dim_value() > 0) {
      inShape.push_back(dim.dim_value());
    } else if (d == 0) {
      inShape.push_back(options.batch);
    } else {
      return fail("input '" + input->name() + "' has a symbolic dimension " +
                  Twine(d) + " ('" + dim.dim_param() +
                  "'); only the batch may be symbolic (--batch)");
    }
  }
  if (inShape.size() != 2 && inShape.size() != 4)
    return fail("input '" + input->name() + "' has shape " +
                shapeString(inShape) +
                "; a network takes N x F or N x C x H x W");

  // Diagnostics from op verification while building become the node's
  // error text.
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    if (!diagnostics.empty())
      diagnostics += "; ";
    diagnostics += diag.str();
    return success();
  });

  OwningOpRef<ModuleOp> module = ModuleOp::create(
      FileLineColLoc::get(&ctx, path, 0, 0));
  b.setInsertionPointToEnd(module->getBody());
  auto inType = RankedTensorType::get(inShape, b.getF32Type());
  auto fn = b.create<func::FuncOp>(module->getLoc(), options.function,
                                   b.getFunctionType({inType}, {}));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToEnd(body);
  values[input->name()] = body->getArgument(0);

  for (const onnx::NodeProto &node : graph.node()) {
    if (llvm::Error e = convertNode(node))
      return std::move(e);
    ++nodeIndex;
  }
  summary.nodes = nodeIndex;

  const std::string &outName = graph.output(0).name();
  auto out = values.find(outName);
  if (out == values.end())
    return fail("output '" + outName + "' is " +
                (constants.count(outName) ? "a constant"
                                          : "not computed by any node"));
  b.create<func::ReturnOp>(fn.getLoc(), out->second);
  fn.setFunctionType(
      b.getFunctionType({inType}, {out->second.getType()}));

  diagnostics.clear();
  if (failed(verify(*module)) || failed(verifyNetwork(fn)))
    return fail("the imported network does not verify: " + diagnostics);
  return std::move(module);
}

llvm::Expected<OwningOpRef<ModuleOp>>
sparsec::import::importOnnx(StringRef path, MLIRContext &ctx,
                            const OnnxOptions &options,
                            OnnxSummary &summary) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  Importer importer(path, ctx, options, summary);
  return importer.run();
}
