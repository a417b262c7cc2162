//===- EliminateDead.cpp - snn-eliminate-dead -------------------*- C++ -*-===//
//
// Part of sparsec. Removes the output units (channels of NCHW values, columns
// of N x F values) that pruning left constant or unread, keeping the function
// exactly as it was.
//
// Three analyses, repeated until nothing changes:
//
// 1. Constants. Per value and unit: is the unit the same number at every
//    batch row and position, for every input? A dense or conv2d unit is, when
//    every weight it has reads a constant unit (a conv2d tap must also never
//    read padding, or read a zero constant); relu, batchnorm, pools, add...
//    map constants to constants (an average pool that counts padding does
//    not, unless the constant is zero). Values are computed with the
//    executor's arithmetic, so a folded unit gives the same floats.
// 2. Constant layers. A dense or conv2d output unit that is constant but still
//    has weights is folded: its weights are masked off and its bias is the
//    constant. What it read may then be unread.
// 3. Channel spaces. Ops that keep units apart (element-wise ops, pools,
//    batchnorm, depthwise conv2d, add, flatten) join their operands and
//    results into one space whose units are removed together: rows of the
//    producing layers' weights, channels of the ops in between, and columns
//    (blocks of H*W columns after a flatten) of the consuming layers'
//    weights. A unit goes when every consumer either reads it with zero
//    weights, or reads a constant whose contribution folds exactly into the
//    consumer's bias. Spaces holding the network's input or result, or read
//    by an op that mixes units (softmax, a grouped conv2d), are left alone.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <numeric>

namespace sparsec::snn {
#define GEN_PASS_DEF_SNNELIMINATEDEADPASS
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"
} // namespace sparsec::snn

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

namespace {

/// Per unit of a value: the number it always holds, if it is constant.
using Constants = std::vector<std::optional<float>>;

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// The units of an activation: dimension 1 (channels or features).
int64_t unitsOf(Value v) {
  ArrayRef<int64_t> s = shapeOf(v);
  return s.size() >= 2 ? s[1] : 0;
}

/// A depthwise conv2d keeps channels apart: every output channel reads the
/// input channel of the same index.
bool isDepthwise(Operation *op) {
  auto conv = dyn_cast<Conv2DOp>(op);
  if (!conv || conv.getGroupCount() == 1)
    return false;
  int64_t g = conv.getGroupCount();
  return unitsOf(conv.getInput()) == g && unitsOf(conv.getResult()) == g;
}

/// A dense or conv2d layer as numbers.
struct LayerData {
  RawWeight weight;
  std::vector<float> bias;
  bool hasBias = false;

  /// Elements of the weight per (output, input) pair: 1 for dense, KH*KW for
  /// conv2d.
  int64_t taps() const {
    return weight.shape.size() == 4 ? weight.shape[2] * weight.shape[3] : 1;
  }
  int64_t inputs() const { return weight.shape[1]; }
  bool rowHasWeights(int64_t o) const {
    int64_t len = weight.rowLength();
    for (int64_t i = o * len; i < (o + 1) * len; ++i)
      if (weight.effective(i) != 0.0f)
        return true;
    return false;
  }
};

/// Whether conv2d tap (ky, kx) reads inside the input at every output
/// position, i.e. never reads padding.
bool tapAlwaysInside(Conv2DOp conv, int64_t ky, int64_t kx) {
  auto [sh, sw] = conv.getStrideValues();
  auto [pt, pl, pb, pr] = conv.getPaddingValues();
  auto [dh, dw] = conv.getDilationValues();
  (void)pb;
  (void)pr;
  ArrayRef<int64_t> in = shapeOf(conv.getInput());
  ArrayRef<int64_t> out = shapeOf(conv.getResult());
  int64_t y0 = -pt + ky * dh, x0 = -pl + kx * dw;
  return y0 >= 0 && x0 >= 0 && (out[2] - 1) * sh + y0 <= in[2] - 1 &&
         (out[3] - 1) * sw + x0 <= in[3] - 1;
}

class Eliminator {
public:
  explicit Eliminator(func::FuncOp fn) : fn(fn) {}

  /// Runs the three steps until nothing changes.
  LogicalResult run();

private:
  LogicalResult readLayers();
  void propagateConstants();
  Constants layerConstants(Operation *op);
  bool foldConstantUnits();
  bool removeUnits();

  func::FuncOp fn;
  llvm::DenseMap<Operation *, LayerData> layers;
  llvm::DenseMap<Value, Constants> constants;
};

LogicalResult Eliminator::readLayers() {
  layers.clear();
  for (Operation &op : fn.getBody().front()) {
    if (!isAffineLayer(&op))
      continue;
    FailureOr<RawWeight> w = readRawWeight(layerWeight(&op));
    if (failed(w))
      return failure();
    LayerData d;
    d.hasBias = static_cast<bool>(layerBias(&op));
    FailureOr<std::vector<float>> b = readBiasOrZeros(layerBias(&op), w->rows());
    if (failed(b))
      return failure();
    d.weight = std::move(*w);
    d.bias = std::move(*b);
    layers[&op] = std::move(d);
  }
  return success();
}

/// The constant output units of a dense or conv2d layer, summed in the order
/// the executor sums (bias first, then every in-bounds tap).
Constants Eliminator::layerConstants(Operation *op) {
  const LayerData &d = layers[op];
  const Constants &in = constants[layerInput(op)];
  int64_t rows = d.weight.rows(), len = d.weight.rowLength();
  Constants out(rows);
  auto conv = dyn_cast<Conv2DOp>(op);
  int64_t perGroup = rows;
  int64_t kh = 1, kw = 1;
  if (conv) {
    perGroup = rows / conv.getGroupCount();
    kh = d.weight.shape[2];
    kw = d.weight.shape[3];
  }
  for (int64_t o = 0; o < rows; ++o) {
    double acc = d.bias[o];
    bool constant = true;
    for (int64_t i = 0; i < len && constant; ++i) {
      float w = d.weight.effective(o * len + i);
      if (w == 0.0f)
        continue;
      int64_t unit = i / (kh * kw);
      if (conv)
        unit += (o / perGroup) * d.inputs();
      const std::optional<float> &c = in[unit];
      if (!c) {
        constant = false;
        break;
      }
      if (conv && *c != 0.0f &&
          !tapAlwaysInside(conv, (i / kw) % kh, i % kw)) {
        constant = false;
        break;
      }
      acc += double(*c) * w;
    }
    if (constant)
      out[o] = static_cast<float>(acc);
  }
  return out;
}

void Eliminator::propagateConstants() {
  constants.clear();
  Block &body = fn.getBody().front();
  constants[body.getArgument(0)] = Constants(unitsOf(body.getArgument(0)));
  auto map = [&](Value in, auto fn) {
    Constants out = constants[in];
    for (std::optional<float> &c : out)
      if (c)
        c = static_cast<float>(fn(double(*c)));
    return out;
  };
  for (Operation &op : body) {
    if (isa<arith::ConstantOp, MaskOp, func::ReturnOp>(op))
      continue;
    Value result = op.getResult(0);
    Constants out =
        llvm::TypeSwitch<Operation *, Constants>(&op)
            .Case<DenseOp, Conv2DOp>(
                [&](Operation *o) { return layerConstants(o); })
            .Case<MaxPool2DOp, GlobalAvgPoolOp, DropoutOp>(
                [&](Operation *o) { return constants[o->getOperand(0)]; })
            .Case([&](AvgPool2DOp o) {
              // Counting padding divides border sums by more elements than
              // they hold: only zero stays constant.
              auto pad = o.getPaddingValues();
              bool padded = llvm::any_of(pad, [](int64_t p) { return p; });
              Constants out = constants[o.getInput()];
              if (o.getCountIncludePadValue() && padded)
                for (std::optional<float> &c : out)
                  if (c && *c != 0.0f)
                    c.reset();
              return out;
            })
            .Case([&](ReluOp o) {
              return map(o.getInput(),
                         [](double v) { return v < 0.0 ? 0.0 : v; });
            })
            .Case([&](SigmoidOp o) {
              return map(o.getInput(),
                         [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
            })
            .Case([&](TanhOp o) {
              return map(o.getInput(), [](double v) { return std::tanh(v); });
            })
            .Case([&](BatchNormOp o) {
              Constants out = constants[o.getInput()];
              auto scale = readF32Constant(o.getScale());
              auto shift = readF32Constant(o.getShift());
              auto mean = readF32Constant(o.getMean());
              auto var = readF32Constant(o.getVar());
              if (failed(scale) || failed(shift) || failed(mean) ||
                  failed(var))
                return Constants(out.size());
              double eps = o.getEpsilonValue();
              for (auto [ch, c] : llvm::enumerate(out))
                if (c) {
                  double inv = 1.0 / std::sqrt(double((*var)[ch]) + eps);
                  c = static_cast<float>((double(*c) - (*mean)[ch]) * inv *
                                             (*scale)[ch] +
                                         (*shift)[ch]);
                }
              return out;
            })
            .Case([&](FlattenOp o) {
              const Constants &in = constants[o.getInput()];
              int64_t inner = in.empty() ? 0 : unitsOf(o) / in.size();
              Constants out(unitsOf(o));
              for (size_t i = 0; i < out.size(); ++i)
                out[i] = in[i / inner];
              return out;
            })
            .Case([&](AddOp o) {
              Constants out = constants[o.getLhs()];
              const Constants &rhs = constants[o.getRhs()];
              for (auto [c, r] : llvm::zip_equal(out, rhs))
                if (c && r)
                  c = static_cast<float>(double(*c) + double(*r));
                else
                  c.reset();
              return out;
            })
            .Default([&](Operation *) { return Constants(unitsOf(result)); });
    constants[result] = std::move(out);
  }
}

/// Gives a layer a new weight and bias (a null bias drops it).
void setLayerParams(Operation *op, const RawWeight &w,
                    std::optional<ArrayRef<float>> bias) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  Value weight = buildWeight(b, loc, w);
  SmallVector<Value> operands = {layerInput(op), weight};
  if (bias)
    operands.push_back(buildF32Constant(
        b, loc, {static_cast<int64_t>(bias->size())}, *bias));
  op->setOperands(operands);
}

bool Eliminator::foldConstantUnits() {
  bool changed = false;
  for (auto &[op, d] : layers) {
    const Constants &out = constants[op->getResult(0)];
    bool folded = false;
    int64_t len = d.weight.rowLength();
    for (int64_t o = 0; o < d.weight.rows(); ++o) {
      if (!out[o] || !d.rowHasWeights(o))
        continue;
      if (!d.weight.mask)
        d.weight.mask = std::vector<uint8_t>(d.weight.size(), 1);
      std::fill_n(d.weight.mask->begin() + o * len, len, 0);
      d.bias[o] = *out[o];
      folded = true;
    }
    if (!folded)
      continue;
    setLayerParams(op, d.weight, ArrayRef<float>(d.bias));
    op->removeAttr("format");
    op->removeAttr("snn.cost");
    changed = true;
  }
  return changed;
}

//===----------------------------------------------------------------------===//
// Channel spaces
//===----------------------------------------------------------------------===//

/// Values joined by unit-preserving ops. `factor` is the number of columns
/// one unit spans in a value (H*W after a flatten, else 1).
class Spaces {
public:
  unsigned id(Value v) {
    auto [it, inserted] = index.try_emplace(v, parent.size());
    if (inserted) {
      parent.push_back(parent.size());
      values.push_back(v);
      blockedFlag.push_back(false);
    }
    return it->second;
  }
  unsigned find(unsigned i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }
  unsigned find(Value v) { return find(id(v)); }
  void join(Value a, Value b) {
    unsigned x = find(a), y = find(b);
    if (x != y) {
      parent[y] = x;
      blockedFlag[x] = blockedFlag[x] || blockedFlag[y];
    }
  }
  void block(Value v) { blockedFlag[find(v)] = true; }
  bool blocked(unsigned root) const { return blockedFlag[root]; }

  llvm::DenseMap<Value, unsigned> index;
  SmallVector<unsigned> parent;
  SmallVector<Value> values;
  SmallVector<bool> blockedFlag;
  llvm::DenseMap<Value, int64_t> factor;
};

/// Keep-lists of a removal: per op, which output units / rows survive, which
/// weight inputs survive, and what is added to each output's bias.
struct Removal {
  llvm::DenseMap<Operation *, SmallVector<bool>> keepRows;
  llvm::DenseMap<Operation *, SmallVector<bool>> keepInputs;
  llvm::DenseMap<Operation *, std::vector<double>> fold;
  /// Batchnorms in a space: which of their channels survive.
  llvm::DenseMap<Operation *, SmallVector<bool>> keepChannels;
};

/// Slices a weight along dimensions 0 and 1.
RawWeight sliceWeight(const RawWeight &w, ArrayRef<bool> rows,
                      ArrayRef<bool> inputs, int64_t taps) {
  RawWeight out;
  out.shape = w.shape;
  out.shape[0] = llvm::count(rows, true);
  out.shape[1] = llvm::count(inputs, true);
  if (w.mask)
    out.mask.emplace();
  int64_t ins = w.shape[1];
  for (int64_t o = 0; o < w.shape[0]; ++o) {
    if (!rows[o])
      continue;
    for (int64_t i = 0; i < ins; ++i) {
      if (!inputs[i])
        continue;
      int64_t base = (o * ins + i) * taps;
      out.values.insert(out.values.end(), w.values.begin() + base,
                        w.values.begin() + base + taps);
      if (w.mask)
        out.mask->insert(out.mask->end(), w.mask->begin() + base,
                         w.mask->begin() + base + taps);
    }
  }
  return out;
}

bool Eliminator::removeUnits() {
  Block &body = fn.getBody().front();
  Spaces spaces;
  // Consumers: (layer, the space value it reads).
  SmallVector<std::pair<Operation *, Value>> consumers;
  BlockArgument arg = body.getArgument(0);
  spaces.id(arg);
  spaces.factor[arg] = 1;
  spaces.block(arg);
  for (Operation &op : body) {
    if (isa<arith::ConstantOp, MaskOp>(op))
      continue;
    if (isa<func::ReturnOp>(op)) {
      spaces.block(op.getOperand(0));
      continue;
    }
    Value out = op.getResult(0);
    spaces.id(out);
    spaces.factor[out] = 1;
    if (isa<ReluOp, SigmoidOp, TanhOp, DropoutOp, MaxPool2DOp, AvgPool2DOp,
            GlobalAvgPoolOp, BatchNormOp>(op) ||
        isDepthwise(&op)) {
      spaces.join(op.getOperand(0), out);
      spaces.factor[out] = spaces.factor[op.getOperand(0)];
    } else if (auto flat = dyn_cast<FlattenOp>(op)) {
      spaces.join(flat.getInput(), out);
      ArrayRef<int64_t> in = shapeOf(flat.getInput());
      int64_t inner = 1;
      for (int64_t d : in.drop_front(2))
        inner *= d;
      spaces.factor[out] = spaces.factor[flat.getInput()] * inner;
    } else if (auto add = dyn_cast<AddOp>(op)) {
      spaces.join(add.getLhs(), out);
      spaces.join(add.getRhs(), out);
      spaces.factor[out] = spaces.factor[add.getLhs()];
      if (spaces.factor[add.getLhs()] != spaces.factor[add.getRhs()])
        spaces.block(out);
    } else if (isAffineLayer(&op)) {
      // A grouped (not depthwise) conv2d ties channels into groups: neither
      // its inputs nor its outputs can go one by one.
      auto conv = dyn_cast<Conv2DOp>(op);
      if (conv && conv.getGroupCount() != 1) {
        spaces.block(conv.getInput());
        spaces.block(out);
      } else {
        consumers.push_back({&op, layerInput(&op)});
      }
    } else {
      // Softmax and anything unknown mix units.
      for (Value v : op.getOperands())
        if (spaces.index.count(v))
          spaces.block(v);
      spaces.block(out);
    }
  }

  // Units per space; a space whose values disagree is left alone.
  llvm::DenseMap<unsigned, int64_t> units;
  for (Value v : spaces.values) {
    unsigned root = spaces.find(v);
    int64_t f = spaces.factor[v];
    int64_t n = unitsOf(v);
    if (n == 0 || n % f != 0) {
      spaces.blockedFlag[root] = true;
      continue;
    }
    auto [it, inserted] = units.try_emplace(root, n / f);
    if (!inserted && it->second != n / f)
      spaces.blockedFlag[root] = true;
  }

  // Which units every consumer lets go.
  llvm::DenseMap<unsigned, SmallVector<bool>> removable;
  for (auto &[root, n] : units)
    if (!spaces.blocked(root))
      removable[root] = SmallVector<bool>(n, true);
  for (auto [op, v] : consumers) {
    auto it = removable.find(spaces.find(v));
    if (it == removable.end())
      continue;
    const LayerData &d = layers[op];
    const Constants &c = constants[v];
    int64_t f = spaces.factor[v], taps = d.taps();
    int64_t rows = d.weight.rows(), ins = d.inputs();
    auto conv = dyn_cast<Conv2DOp>(op);
    for (auto [u, ok] : llvm::enumerate(it->second)) {
      if (!ok)
        continue;
      for (int64_t in = u * f; in < (int64_t(u) + 1) * f && ok; ++in)
        for (int64_t o = 0; o < rows && ok; ++o)
          for (int64_t t = 0; t < taps && ok; ++t) {
            if (d.weight.effective((o * ins + in) * taps + t) == 0.0f)
              continue;
            // Read with a weight: fine if it is a constant that folds.
            ok = c[in].has_value() &&
                 (!conv || *c[in] == 0.0f ||
                  tapAlwaysInside(conv, t / d.weight.shape[3],
                                  t % d.weight.shape[3]));
          }
    }
  }

  Removal plan;
  bool any = false;
  for (auto &[root, keep] : removable) {
    // `keep` holds "removable"; turn it into "survives".
    for (auto &&k : keep)
      k = !k;
    if (llvm::none_of(keep, [](bool k) { return k; })) {
      // Every unit could go, but tensors keep at least one.
      keep[0] = true;
    }
    if (llvm::all_of(keep, [](bool k) { return k; }))
      continue;
    any = true;
    for (Value v : spaces.values) {
      if (spaces.find(v) != root)
        continue;
      int64_t f = spaces.factor[v];
      SmallVector<bool> cols;
      for (bool k : keep)
        cols.append(f, k);
      if (Operation *def = v.getDefiningOp()) {
        if (isAffineLayer(def))
          plan.keepRows[def] = SmallVector<bool>(keep);
        else if (isa<BatchNormOp>(def))
          plan.keepChannels[def] = cols;
      }
      for (Operation *user : v.getUsers())
        if (isAffineLayer(user) && layerInput(user) == v && !isDepthwise(user))
          plan.keepInputs[user] = cols;
    }
  }
  if (!any)
    return false;

  // Fold what consumers lose into their bias, then rebuild every touched
  // layer once.
  llvm::SetVector<Operation *> touched;
  for (auto &[op, keep] : plan.keepRows)
    touched.insert(op);
  for (auto &[op, keep] : plan.keepInputs) {
    touched.insert(op);
    const LayerData &d = layers[op];
    const Constants &c = constants[layerInput(op)];
    int64_t rows = d.weight.rows(), ins = d.inputs(), taps = d.taps();
    std::vector<double> &fold = plan.fold[op];
    fold.assign(rows, 0.0);
    for (int64_t o = 0; o < rows; ++o)
      for (int64_t in = 0; in < ins; ++in) {
        if (keep[in])
          continue;
        for (int64_t t = 0; t < taps; ++t) {
          float w = d.weight.effective((o * ins + in) * taps + t);
          if (w != 0.0f)
            fold[o] += double(*c[in]) * w;
        }
      }
  }
  for (Operation *op : touched) {
    const LayerData &d = layers[op];
    bool depthwise = isDepthwise(op);
    SmallVector<bool> allRows(d.weight.rows(), true);
    SmallVector<bool> allIns(d.inputs(), true);
    auto rowsIt = plan.keepRows.find(op);
    auto insIt = plan.keepInputs.find(op);
    ArrayRef<bool> rows = rowsIt != plan.keepRows.end() ? rowsIt->second
                                                        : ArrayRef(allRows);
    ArrayRef<bool> ins =
        insIt != plan.keepInputs.end() ? insIt->second : ArrayRef(allIns);
    RawWeight w = sliceWeight(d.weight, rows, ins, d.taps());
    std::vector<float> bias;
    bool needBias = d.hasBias;
    auto foldIt = plan.fold.find(op);
    for (int64_t o = 0; o < d.weight.rows(); ++o) {
      if (!rows[o])
        continue;
      double b = d.bias[o];
      if (foldIt != plan.fold.end() && foldIt->second[o] != 0.0) {
        b += foldIt->second[o];
        needBias = true;
      }
      bias.push_back(static_cast<float>(b));
    }
    setLayerParams(op, w,
                   needBias ? std::optional<ArrayRef<float>>(bias)
                            : std::nullopt);
    if (depthwise) {
      // A depthwise conv keeps one group per surviving channel.
      op->setAttr("groups", IntegerAttr::get(IntegerType::get(
                                                 op->getContext(), 64),
                                             w.shape[0]));
    }
    op->removeAttr("format");
    op->removeAttr("snn.cost");
  }
  for (auto &[op, keep] : plan.keepChannels) {
    auto bn = cast<BatchNormOp>(op);
    OpBuilder b(op);
    SmallVector<Value> operands = {bn.getInput()};
    for (Value param : {bn.getScale(), bn.getShift(), bn.getMean(),
                        bn.getVar()}) {
      std::vector<float> values = *readF32Constant(param);
      std::vector<float> kept;
      for (auto [v, k] : llvm::zip_equal(values, keep))
        if (k)
          kept.push_back(v);
      operands.push_back(buildF32Constant(
          b, op->getLoc(), {static_cast<int64_t>(kept.size())}, kept));
    }
    op->setOperands(operands);
  }
  return true;
}

LogicalResult Eliminator::run() {
  while (true) {
    if (failed(readLayers()))
      return failure();
    propagateConstants();
    bool changed = foldConstantUnits();
    if (!changed)
      changed = removeUnits();
    if (!changed)
      return success();
    for (Operation &op : fn.getBody().front()) {
      if (!isa<SparseNNDialect>(op.getDialect()) || isa<MaskOp>(op))
        continue;
      if (failed(retypeResult(&op)))
        return op.emitOpError()
               << "snn-eliminate-dead: internal error: no result shape after "
                  "removing units";
    }
    eraseUnusedWeights(fn);
  }
}

struct EliminateDeadPass
    : public ::sparsec::snn::impl::SNNEliminateDeadPassBase<
          EliminateDeadPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (failed(verifyNetwork(fn)) || failed(Eliminator(fn).run()))
      return signalPassFailure();
  }
};

} // namespace
