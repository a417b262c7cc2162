//===- HalideStep.cpp - Training-step kernels generated through Halide ----===//
//
// Part of sparsec. See HalideStep.h.
//
// Layout: a node's activation for a batch is a Func f(i, b) over its
// per-example features, or f(x, y, c, b) for a C x H x W value (Halide lists
// dimensions innermost first), computed at the root and vectorised along
// the innermost dimension, parallel over the batch. Dense layers work on
// transposed activations xt(b, k), so that their inner loops run along the
// batch as the reference kernels do. A weight's kept positions form a
// Pattern: CSR lists (forward, weight gradients) and per-input lists (input
// gradients), baked into the pipeline as constant buffers; an unmasked
// weight is a pattern with everything kept.
//
// Sums follow the reference kernels' precision (double where they use
// double); their order differs (vector lanes, per-input instead of scattered
// accumulation), so results agree with the reference within rounding, and
// are the same from run to run and for every thread count.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Train/HalideStep.h"
#include "sparsec/runtime/Random.h"

#include <Halide.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

using namespace sparsec;
using namespace sparsec::runtime;
namespace hl = Halide;
using hl::Expr;
using hl::Func;
using hl::RDom;
using hl::TailStrategy;
using hl::Var;

namespace {

/// The kept positions of a [rows, cols] weight.
struct Pattern {
  int rows = 0, cols = 0, nnz = 0, maxRow = 0, maxCol = 0;
  /// CSR: entries in row-major order.
  hl::Buffer<int32_t> rowStart, rowLen, col, rowOf;
  /// Per column: the entries in it, by row.
  hl::Buffer<int32_t> colStart, colLen, colEntry;

  // Reads of the index lists, with the ranges their values lie in (Halide
  // cannot bound a value loaded from a buffer by itself).
  Expr entry(Expr k) const {
    return hl::unsafe_promise_clamped(k, 0, std::max(0, nnz - 1));
  }
  Expr colAt(Expr k) const {
    return hl::unsafe_promise_clamped(col(entry(k)), 0, cols - 1);
  }
  Expr rowAt(Expr k) const {
    return hl::unsafe_promise_clamped(rowOf(entry(k)), 0, rows - 1);
  }
};

hl::Buffer<int32_t> intBuffer(const std::vector<int32_t> &v,
                              const std::string &name) {
  hl::Buffer<int32_t> b(static_cast<int>(std::max<size_t>(1, v.size())), name);
  b.fill(0);
  for (size_t i = 0; i < v.size(); ++i)
    b(static_cast<int>(i)) = v[i];
  return b;
}

Pattern makePattern(const Param &p, int64_t rows, int64_t cols,
                    const std::string &name) {
  Pattern pat;
  pat.rows = static_cast<int>(rows);
  pat.cols = static_cast<int>(cols);
  std::vector<int32_t> rowStart, rowLen, col, rowOf;
  std::vector<std::vector<int32_t>> perCol(cols);
  for (int64_t r = 0; r < rows; ++r) {
    rowStart.push_back(static_cast<int32_t>(col.size()));
    for (int64_t c = 0; c < cols; ++c)
      if (p.kept(r * cols + c)) {
        perCol[c].push_back(static_cast<int32_t>(col.size()));
        col.push_back(static_cast<int32_t>(c));
        rowOf.push_back(static_cast<int32_t>(r));
      }
    rowLen.push_back(static_cast<int32_t>(col.size()) - rowStart.back());
    pat.maxRow = std::max(pat.maxRow, rowLen.back());
  }
  std::vector<int32_t> colStart, colLen, colEntry;
  for (int64_t c = 0; c < cols; ++c) {
    colStart.push_back(static_cast<int32_t>(colEntry.size()));
    colLen.push_back(static_cast<int32_t>(perCol[c].size()));
    pat.maxCol = std::max(pat.maxCol, colLen.back());
    colEntry.insert(colEntry.end(), perCol[c].begin(), perCol[c].end());
  }
  pat.nnz = static_cast<int>(col.size());
  pat.rowStart = intBuffer(rowStart, name + "_row_start");
  pat.rowLen = intBuffer(rowLen, name + "_row_len");
  pat.col = intBuffer(col, name + "_col");
  pat.rowOf = intBuffer(rowOf, name + "_row_of");
  pat.colStart = intBuffer(colStart, name + "_col_start");
  pat.colLen = intBuffer(colLen, name + "_col_len");
  pat.colEntry = intBuffer(colEntry, name + "_col_entry");
  return pat;
}

Expr u64(uint64_t v) { return hl::Internal::make_const(hl::UInt(64), v); }
Expr d64(double v) { return hl::Internal::make_const(hl::Float(64), v); }

/// runtime::mix64 and hashWords on 64-bit Halide values.
Expr mix64(Expr x) {
  x = x + u64(0x9E3779B97F4A7C15ull);
  x = (x ^ (x >> 30)) * u64(0xBF58476D1CE4E5B9ull);
  x = (x ^ (x >> 27)) * u64(0x94D049BB133111EBull);
  return x ^ (x >> 31);
}
Expr hashWords(Expr a, Expr b, Expr c) {
  return mix64(mix64(mix64(mix64(a) ^ b) ^ c) ^ u64(0));
}

int i32(int64_t v) { return static_cast<int>(v); }

/// A C identifier for a name ("fc1.weight" -> "fc1_weight").
std::string cName(const std::string &s) {
  std::string out;
  for (char ch : s)
    out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
    out = "p_" + out;
  return out;
}

/// Unique C identifiers for the graph's parameters (names may repeat).
std::vector<std::string> paramNames(const Graph &g) {
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  for (const Param &p : g.params) {
    std::string nm = cName(p.name);
    if (nm == "input" || nm == "labels" || nm == "dropout_seed")
      nm = "param_" + nm;
    names.push_back(nm);
  }
  for (const std::string &nm : names)
    ++seen[nm];
  for (size_t k = 0; k < names.size(); ++k)
    if (seen[names[k]] > 1)
      names[k] += "_" + std::to_string(k);
  return names;
}

/// A node's value (or gradient) during lowering.
struct Value {
  Func f;
  bool spatial = false;
  int C = 1, H = 1, W = 1, size = 0;

  Expr at(Expr x, Expr y, Expr c, Expr b) const {
    if (spatial)
      return f(x, y, c, b);
    return f((c * H + y) * W + x, b);
  }
  Expr flat(Expr i, Expr b) const {
    if (!spatial)
      return f(i, b);
    return f(i % W, (i / W) % H, i / (H * W), b);
  }
};

class Builder {
public:
  Builder(const Graph &g, const hl::Target &target, bool train,
          const std::string &prefix)
      : g(g), train(train), prefix(prefix),
        V(target.natural_vector_size<float>()), pnames(paramNames(g)) {}

  bool build(std::string &error);

  hl::ImageParam input{hl::Float(32), 2, "input"};
  hl::ImageParam labels{hl::Int(32), 1, "labels"};
  hl::Param<uint64_t> seed{"dropout_seed"};
  std::vector<hl::ImageParam> params;
  /// Forward: the network's output (feature, batch).
  Func output;
  /// Training: the summed cross-entropy (f64 scalar), the correct count
  /// (i32 scalar), and the gradient of each trainable parameter (else
  /// undefined).
  Func lossSum, correct;
  std::vector<Func> grads;

private:
  Value shapeLike(int node, const std::string &name) const;
  void rootSchedule(Value &v);
  Value forwardNode(int i, std::string &error);
  void backwardNode(int i, const Value &dy);
  void addContribution(int node, Value v) { contribs[node].push_back(v); }
  Expr P(int param, Expr i) const { return params[param](i); }
  const Pattern &pattern(int param, int64_t rows, int64_t cols);
  std::string nm(int i, const char *what) const {
    return prefix + "n" + std::to_string(i) + "_" + cName(g.nodes[i].name) +
           "_" + what;
  }
  /// A unique name for something of parameter `p`.
  std::string pn(int p, const char *what) const {
    return prefix + pnames[p] + "_" + what;
  }
  /// Writes the packed per-entry gradient `packed(e)` into a zeroed
  /// gradient of parameter `param`.
  void scatterGradient(int param, const Pattern &pat, Func packed,
                       int64_t cols);
  /// sum over u < width of lanes(u, e), in lane order.
  Expr sumLanes(Func lanes, Expr e, int width) const {
    Expr s = lanes(0, e);
    for (int u = 1; u < width; ++u)
      s = s + lanes(u, e);
    return s;
  }
  /// The vector width for loops of `extent`: the widest power of two up to
  /// the target's that divides it (no tail), else the target's (guarded).
  int lanesFor(int extent) const {
    for (int w = V; w >= 4; w /= 2)
      if (extent % w == 0)
        return w;
    return V;
  }
  /// Padded input of a window op.
  Func padded(const Value &in, const Node &node, const std::string &name,
              Expr fill);

  const Graph &g;
  bool train;
  std::string prefix;
  int V;
  std::vector<std::string> pnames;
  Var x{"x"}, y{"y"}, c{"c"}, b{"b"}, i{"i"}, e{"e"}, u{"u"};
  Expr n;
  std::vector<Value> act;
  std::vector<std::vector<Value>> contribs;
  /// Per node: dropout scales (flat index, batch) or max-pool argmax.
  std::map<int, Func> dropScale, argmaxPos;
  std::map<int, Func> paddedIn;
  /// Dense layers' transposed inputs; batch norms' 1 / sqrt(var + eps).
  std::map<int, Func> denseT, bnInv;
  std::map<int, Pattern> patterns;
};

const Pattern &Builder::pattern(int param, int64_t rows, int64_t cols) {
  auto it = patterns.find(param);
  if (it == patterns.end())
    it = patterns
             .emplace(param, makePattern(g.params[param], rows, cols,
                                         pn(param, "kept")))
             .first;
  return it->second;
}

Value Builder::shapeLike(int node, const std::string &name) const {
  const Node &nd = g.nodes[node];
  Value v;
  v.f = Func(name);
  v.spatial = nd.shape.size() == 3;
  if (v.spatial) {
    v.C = i32(nd.shape[0]);
    v.H = i32(nd.shape[1]);
    v.W = i32(nd.shape[2]);
  } else {
    v.C = i32(nd.size());
  }
  v.size = i32(nd.size());
  return v;
}

void Builder::rootSchedule(Value &v) {
  Var inner = v.spatial ? x : i;
  int w = lanesFor(v.spatial ? v.W : v.size);
  v.f.compute_root();
  v.f.vectorize(inner, w, TailStrategy::GuardWithIf).parallel(b);
  for (int s = 0; s < v.f.num_update_definitions(); ++s)
    v.f.update(s).vectorize(inner, w, TailStrategy::GuardWithIf).parallel(b);
}

Func Builder::padded(const Value &in, const Node &node, const std::string &name,
                     Expr fill) {
  int64_t pt = node.padding[0], pl = node.padding[1];
  int64_t pb = node.padding[2], pr = node.padding[3];
  Func p(name);
  if (pt == 0 && pl == 0 && pb == 0 && pr == 0) {
    p(x, y, c, b) = in.at(x, y, c, b);
    return p;
  }
  Expr inside = x >= 0 && x < in.W && y >= 0 && y < in.H;
  p(x, y, c, b) = hl::select(inside,
                             in.at(hl::clamp(x, 0, in.W - 1),
                                   hl::clamp(y, 0, in.H - 1), c, b),
                             fill);
  p.compute_root().vectorize(x, V, TailStrategy::GuardWithIf).parallel(b);
  return p;
}

void Builder::scatterGradient(int param, const Pattern &pat, Func packed,
                              int64_t cols) {
  Func gw(pn(param, "grad"));
  gw(i) = 0.0f;
  if (pat.nnz > 0) {
    RDom r(0, pat.nnz, "r");
    gw(pat.rowAt(r) * i32(cols) + pat.colAt(r)) = packed(r);
    gw.update().unscheduled();
  }
  gw.compute_root().vectorize(i, V, TailStrategy::GuardWithIf);
  grads[param] = gw;
}

Value Builder::forwardNode(int idx, std::string &error) {
  const Node &node = g.nodes[idx];
  Value out = shapeLike(idx, nm(idx, "y"));
  const Value &in = act[node.inputs.empty() ? 0 : node.inputs[0]];
  auto elementwise = [&](auto fn) {
    if (out.spatial)
      out.f(x, y, c, b) = fn(in.at(x, y, c, b));
    else
      out.f(i, b) = fn(in.flat(i, b));
    rootSchedule(out);
  };
  switch (node.kind) {
  case OpKind::Input:
    break;
  case OpKind::Dense: {
    int64_t K = in.size, M = node.shape[0];
    const Pattern &pat = pattern(node.weight, M, K);
    Func xt(nm(idx, "xt"));
    // Zero past the batch: the weight gradient reads whole vectors of it.
    xt(b, i) = hl::select(b < n, in.flat(i, hl::min(b, n - 1)), 0.0f);
    xt.compute_root().vectorize(b, V, TailStrategy::GuardWithIf).parallel(i, 8, TailStrategy::GuardWithIf);
    Func yt(nm(idx, "yt"));
    yt(b, i) = node.bias >= 0 ? P(node.bias, i) : Expr(0.0f);
    RDom r(0, std::max(1, pat.maxRow), "r");
    r.where(r < pat.rowLen(i));
    Expr j = pat.colAt(pat.rowStart(i) + r);
    yt(b, i) += P(node.weight, i * i32(K) + j) * xt(b, j);
    Var bo("bo"), bi("bi");
    yt.compute_root().vectorize(b, V, TailStrategy::GuardWithIf).parallel(i, 4, TailStrategy::GuardWithIf);
    yt.update()
        .split(b, bo, bi, V, TailStrategy::GuardWithIf)
        .reorder(bi, r, bo, i)
        .vectorize(bi)
        .parallel(i);
    out.f(i, b) = yt(b, i);
    rootSchedule(out);
    denseT[idx] = xt;
    break;
  }
  case OpKind::Conv2D: {
    int64_t cg = in.C / node.groups, og = node.shape[0] / node.groups;
    int KH = i32(node.kernel[0]), KW = i32(node.kernel[1]);
    int64_t Kc = cg * KH * KW;
    const Pattern &pat = pattern(node.weight, node.shape[0], Kc);
    Func xp = padded(in, node, nm(idx, "xpad"), 0.0f);
    paddedIn[idx] = xp;
    int sx = i32(node.stride[1]), sy = i32(node.stride[0]);
    int dx = i32(node.dilation[1]), dy = i32(node.dilation[0]);
    int pl = i32(node.padding[1]), pt = i32(node.padding[0]);
    out.f(x, y, c, b) = node.bias >= 0 ? P(node.bias, c) : Expr(0.0f);
    RDom r(0, std::max(1, pat.maxRow), "r");
    r.where(r < pat.rowLen(c));
    Expr j = pat.colAt(pat.rowStart(c) + r);
    Expr kx = j % KW, ky = (j / KW) % KH, ci = j / (KH * KW);
    out.f(x, y, c, b) +=
        P(node.weight, c * i32(Kc) + j) *
        xp(x * sx + kx * dx - pl, y * sy + ky * dy - pt,
           (c / i32(og)) * i32(cg) + ci, b);
    Var xo("xo"), xi("xi");
    int w = lanesFor(out.W);
    out.f.compute_root().vectorize(x, w, TailStrategy::GuardWithIf).parallel(b);
    out.f.update()
        .split(x, xo, xi, w, TailStrategy::GuardWithIf)
        .reorder(xi, xo, y, r, c, b)
        .vectorize(xi)
        .parallel(b);
    break;
  }
  case OpKind::MaxPool2D:
  case OpKind::AvgPool2D: {
    int KH = i32(node.kernel[0]), KW = i32(node.kernel[1]);
    int sx = i32(node.stride[1]), sy = i32(node.stride[0]);
    int dx = i32(node.dilation[1]), dy = i32(node.dilation[0]);
    int pl = i32(node.padding[1]), pt = i32(node.padding[0]);
    RDom r(0, KW, 0, KH, "r");
    Expr ix = x * sx - pl + r.x * dx, iy = y * sy - pt + r.y * dy;
    Expr valid = ix >= 0 && ix < in.W && iy >= 0 && iy < in.H;
    Expr v = in.at(hl::clamp(ix, 0, in.W - 1), hl::clamp(iy, 0, in.H - 1), c, b);
    if (node.kind == OpKind::MaxPool2D) {
      // The first largest tap, skipping padding, as the reference does.
      Func am(nm(idx, "argmax"));
      am(x, y, c, b) = hl::Tuple(-1, hl::Float(32).min());
      Expr better = am(x, y, c, b)[0] < 0 || v > am(x, y, c, b)[1] ||
                    (hl::is_nan(v) && !hl::is_nan(am(x, y, c, b)[1]));
      am(x, y, c, b) = hl::tuple_select(valid && better,
                                        hl::Tuple(iy * in.W + ix, v),
                                        am(x, y, c, b));
      am.compute_root().parallel(b);
      am.update().parallel(b);
      argmaxPos[idx] = am;
      out.f(x, y, c, b) = am(x, y, c, b)[1];
    } else {
      Expr x0 = x * sx - pl, y0 = y * sy - pt;
      Expr divisor;
      if (node.countIncludePad) {
        Expr yEnd = hl::min(y0 + KH, in.H + i32(node.padding[2]));
        Expr xEnd = hl::min(x0 + KW, in.W + i32(node.padding[3]));
        divisor = (yEnd - y0) * (xEnd - x0);
      } else {
        divisor = (hl::min(y0 + KH, in.H) - hl::max(y0, 0)) *
                  (hl::min(x0 + KW, in.W) - hl::max(x0, 0));
      }
      Func s(nm(idx, "sum"));
      s(x, y, c, b) = d64(0);
      s(x, y, c, b) += hl::select(valid, hl::cast<double>(v), d64(0));
      out.f(x, y, c, b) =
          hl::cast<float>(s(x, y, c, b) / hl::cast<double>(divisor));
    }
    rootSchedule(out);
    break;
  }
  case OpKind::GlobalAvgPool: {
    RDom r(0, in.W, 0, in.H, "r");
    Func s(nm(idx, "sum"));
    s(i, b) = d64(0);
    s(i, b) += hl::cast<double>(in.at(r.x, r.y, i, b));
    s.compute_root().parallel(b);
    s.update().parallel(b);
    Expr mean = hl::cast<float>(s(out.spatial ? c : i, b) /
                                d64(double(in.H) * in.W));
    if (out.spatial)
      out.f(x, y, c, b) = mean;
    else
      out.f(i, b) = mean;
    rootSchedule(out);
    break;
  }
  case OpKind::Relu:
    elementwise([](Expr v) { return hl::select(v < 0.0f, 0.0f, v); });
    break;
  case OpKind::Sigmoid:
    elementwise([](Expr v) { return 1.0f / (1.0f + hl::exp(-v)); });
    break;
  case OpKind::Tanh:
    elementwise([](Expr v) { return hl::tanh(v); });
    break;
  case OpKind::Dropout: {
    if (!train || node.rate <= 0.0f) {
      out = in;
      break;
    }
    Func s(nm(idx, "keep"));
    float keepScale = 1.0f / (1.0f - node.rate);
    uint64_t threshold =
        static_cast<uint64_t>(double(node.rate) * 16777216.0);
    Expr element = hl::cast<uint64_t>(b) * u64(uint64_t(out.size)) +
                   hl::cast<uint64_t>(i);
    Expr r = hashWords(seed, u64(static_cast<uint64_t>(idx)), element) >> 40;
    s(i, b) = hl::select(r < u64(threshold), 0.0f, keepScale);
    s.compute_root().parallel(b);
    dropScale[idx] = s;
    if (out.spatial)
      out.f(x, y, c, b) = in.at(x, y, c, b) * s((c * out.H + y) * out.W + x, b);
    else
      out.f(i, b) = in.flat(i, b) * s(i, b);
    rootSchedule(out);
    break;
  }
  case OpKind::Flatten:
    out.f(i, b) = in.flat(i, b);
    break;
  case OpKind::Softmax: {
    if (out.spatial) {
      error = "softmax over a C x H x W value";
      return out;
    }
    RDom r(0, out.size, "r");
    Func mx(nm(idx, "max")), sum(nm(idx, "sum"));
    mx(b) = hl::maximum(hl::cast<double>(in.flat(r, b)));
    sum(b) = hl::sum(hl::exp(hl::cast<double>(in.flat(r, b)) - mx(b)));
    mx.compute_root();
    sum.compute_root();
    out.f(i, b) =
        hl::cast<float>(hl::exp(hl::cast<double>(in.flat(i, b)) - mx(b)) / sum(b));
    out.f.compute_root().parallel(b);
    break;
  }
  case OpKind::Add: {
    const Value &rhs = act[node.inputs[1]];
    if (out.spatial)
      out.f(x, y, c, b) = in.at(x, y, c, b) + rhs.at(x, y, c, b);
    else
      out.f(i, b) = in.flat(i, b) + rhs.flat(i, b);
    rootSchedule(out);
    break;
  }
  case OpKind::BatchNorm: {
    Func inv(nm(idx, "inv"));
    inv(i) = 1.0f / hl::sqrt(P(node.var, i) + node.epsilon);
    inv.compute_root();
    bnInv[idx] = inv;
    auto affine = [&](Expr v, Expr ch) {
      return (v - P(node.mean, ch)) * inv(ch) * P(node.scale, ch) +
             P(node.shift, ch);
    };
    if (out.spatial)
      out.f(x, y, c, b) = affine(in.at(x, y, c, b), c);
    else
      out.f(i, b) = affine(in.flat(i, b), i);
    rootSchedule(out);
    break;
  }
  }
  return out;
}

void Builder::backwardNode(int idx, const Value &dyv) {
  const Node &node = g.nodes[idx];
  int inIdx = node.inputs.empty() ? -1 : node.inputs[0];
  const Value &in = act[inIdx < 0 ? 0 : inIdx];
  const Value &yv = act[idx];
  bool wantDx = inIdx > 0;
  auto dxLike = [&](int target) { return shapeLike(target, nm(idx, "dx")); };
  auto elementwise = [&](auto fn) {
    if (!wantDx)
      return;
    Value dx = dxLike(inIdx);
    if (dx.spatial)
      dx.f(x, y, c, b) = fn(dyv.at(x, y, c, b), yv.at(x, y, c, b));
    else
      dx.f(i, b) = fn(dyv.flat(i, b), yv.flat(i, b));
    rootSchedule(dx);
    addContribution(inIdx, dx);
  };
  switch (node.kind) {
  case OpKind::Input:
    break;
  case OpKind::Dense: {
    int64_t K = in.size, M = node.shape[0];
    const Pattern &pat = pattern(node.weight, M, K);
    Func xt = denseT[idx];
    Func dyt(nm(idx, "dyt"));
    dyt(b, i) = hl::select(b < n, dyv.flat(i, hl::min(b, n - 1)), 0.0f);
    dyt.compute_root().vectorize(b, V, TailStrategy::GuardWithIf).parallel(i, 8, TailStrategy::GuardWithIf);
    if (node.bias >= 0 && g.params[node.bias].trainable) {
      Func db(nm(idx, "dbias"));
      RDom rb(0, n, "rb");
      db(i) = 0.0f;
      db(i) += dyt(rb, i);
      db.compute_root().parallel(i, 8, TailStrategy::GuardWithIf);
      db.update().parallel(i, 8, TailStrategy::GuardWithIf);
      grads[node.bias] = db;
    }
    if (g.params[node.weight].trainable) {
      // Per kept entry, its dot product over the batch in V lanes (the
      // transposed operands are zero past the batch, so whole vectors are
      // read without a test).
      Func lanes(nm(idx, "dw_lanes")), packed(nm(idx, "dw"));
      RDom rb(0, (n + V - 1) / V, "rb");
      Expr bb = rb * V + u;
      lanes(u, e) = 0.0f;
      lanes(u, e) += dyt(bb, pat.rowAt(e)) * xt(bb, pat.colAt(e));
      lanes.bound(u, 0, V);
      lanes.compute_root().vectorize(u).parallel(e, 16, TailStrategy::GuardWithIf);
      lanes.update().reorder(u, rb, e).vectorize(u).parallel(e, 16, TailStrategy::GuardWithIf);
      packed(e) = sumLanes(lanes, e, V);
      packed.compute_root().parallel(e, 64, TailStrategy::GuardWithIf);
      scatterGradient(node.weight, pat, packed, K);
    }
    if (wantDx) {
      Func dxt(nm(idx, "dxt"));
      dxt(b, i) = 0.0f;
      RDom r(0, std::max(1, pat.maxCol), "r");
      r.where(r < pat.colLen(i));
      Expr ent = pat.colEntry(pat.entry(pat.colStart(i) + r));
      Expr o = pat.rowAt(ent);
      dxt(b, i) += P(node.weight, o * i32(K) + i) * dyt(b, o);
      Var bo("bo"), bi("bi");
      dxt.compute_root().vectorize(b, V, TailStrategy::GuardWithIf).parallel(i, 4, TailStrategy::GuardWithIf);
      dxt.update()
          .split(b, bo, bi, V, TailStrategy::GuardWithIf)
          .reorder(bi, r, bo, i)
          .vectorize(bi)
          .parallel(i);
      Value dx = dxLike(inIdx);
      if (dx.spatial)
        dx.f(x, y, c, b) = dxt(b, (c * dx.H + y) * dx.W + x);
      else
        dx.f(i, b) = dxt(b, i);
      rootSchedule(dx);
      addContribution(inIdx, dx);
    }
    break;
  }
  case OpKind::Conv2D: {
    int64_t cg = in.C / node.groups, og = node.shape[0] / node.groups;
    int KH = i32(node.kernel[0]), KW = i32(node.kernel[1]);
    int64_t Kc = cg * KH * KW;
    const Pattern &pat = pattern(node.weight, node.shape[0], Kc);
    Func xp = paddedIn[idx];
    int sx = i32(node.stride[1]), sy = i32(node.stride[0]);
    int dxs = i32(node.dilation[1]), dys = i32(node.dilation[0]);
    int pl = i32(node.padding[1]), pt = i32(node.padding[0]);
    int OW = yv.W, OH = yv.H;
    if (node.bias >= 0 && g.params[node.bias].trainable) {
      Func db(nm(idx, "dbias"));
      RDom r(0, OW, 0, OH, 0, n, "r");
      db(i) = 0.0f;
      db(i) += dyv.at(r.x, r.y, i, r.z);
      db.compute_root().parallel(i, 4, TailStrategy::GuardWithIf);
      db.update().parallel(i, 4, TailStrategy::GuardWithIf);
      grads[node.bias] = db;
    }
    if (g.params[node.weight].trainable) {
      Func lanes(nm(idx, "dw_lanes")), packed(nm(idx, "dw"));
      // Lanes along the output row; when the width divides the row, loads
      // are contiguous and need no guard.
      int w = lanesFor(OW);
      bool exact = OW % w == 0;
      RDom r(0, (OW + w - 1) / w, 0, OH, 0, n, "r");
      Expr ox = r.x * w + u, oxc = exact ? ox : hl::min(ox, OW - 1);
      Expr co = pat.rowAt(e), j = pat.colAt(e);
      Expr kx = j % KW, ky = (j / KW) % KH, ci = j / (KH * KW);
      Expr prod = dyv.at(oxc, r.y, co, r.z) *
                  xp(oxc * sx + kx * dxs - pl, r.y * sy + ky * dys - pt,
                     (co / i32(og)) * i32(cg) + ci, r.z);
      lanes(u, e) = 0.0f;
      lanes(u, e) += exact ? prod : hl::select(ox < OW, prod, 0.0f);
      lanes.bound(u, 0, w);
      lanes.compute_root().vectorize(u).parallel(e, 4, TailStrategy::GuardWithIf);
      lanes.update().reorder(u, r.x, r.y, r.z, e).vectorize(u).parallel(e, 4, TailStrategy::GuardWithIf);
      packed(e) = sumLanes(lanes, e, w);
      packed.compute_root().parallel(e, 64, TailStrategy::GuardWithIf);
      scatterGradient(node.weight, pat, packed, Kc);
    }
    if (wantDx) {
      // Per input channel, the kept weights that read it.
      std::vector<int32_t> chStart, chLen, chEntry;
      int maxCh = 0;
      std::vector<int32_t> rowStart(pat.rows + 1);
      for (int r = 0; r < pat.rows; ++r)
        rowStart[r] = pat.rowStart(r);
      for (int64_t gc = 0; gc < in.C; ++gc) {
        int64_t grp = gc / cg, local = gc % cg;
        chStart.push_back(static_cast<int32_t>(chEntry.size()));
        for (int64_t o = grp * og; o < (grp + 1) * og; ++o)
          for (int32_t ent = rowStart[o]; ent < rowStart[o] + pat.rowLen(i32(o));
               ++ent)
            if (pat.col(ent) / (KH * KW) == local)
              chEntry.push_back(ent);
        chLen.push_back(static_cast<int32_t>(chEntry.size()) - chStart.back());
        maxCh = std::max(maxCh, chLen.back());
      }
      hl::Buffer<int32_t> bStart = intBuffer(chStart, pn(node.weight, "ch_start")),
                          bLen = intBuffer(chLen, pn(node.weight, "ch_len")),
                          bEntry = intBuffer(chEntry, pn(node.weight, "ch_entry"));
      Value dx = dxLike(inIdx);
      dx.f(x, y, c, b) = 0.0f;
      RDom r(0, std::max(1, maxCh), "r");
      r.where(r < bLen(c));
      Expr ent = bEntry(hl::unsafe_promise_clamped(
          bStart(c) + r, 0, std::max<int>(0, int(chEntry.size()) - 1)));
      Expr co = pat.rowAt(ent), j = pat.colAt(ent);
      Expr kx = j % KW, ky = (j / KW) % KH;
      Expr px = x + pl - kx * dxs, py = y + pt - ky * dys;
      Expr wv = P(node.weight, co * i32(Kc) + j);
      if (sx == 1 && sy == 1) {
        // Stride 1: the output gradient padded with zeros, read at a shift
        // (contiguous loads, no per-lane test).
        Func dyp(nm(idx, "dy_padded"));
        Expr inside = x >= 0 && x < OW && y >= 0 && y < OH;
        dyp(x, y, c, b) = hl::select(
            inside,
            dyv.at(hl::clamp(x, 0, OW - 1), hl::clamp(y, 0, OH - 1), c, b),
            0.0f);
        dyp.compute_root()
            .vectorize(x, lanesFor(OW), TailStrategy::GuardWithIf)
            .parallel(b);
        dx.f(x, y, c, b) += wv * dyp(px, py, co, b);
      } else {
        Expr ox = px / sx, oy = py / sy;
        Expr valid = px >= 0 && py >= 0 && ox < OW && oy < OH;
        if (sx != 1)
          valid = valid && px % sx == 0;
        if (sy != 1)
          valid = valid && py % sy == 0;
        dx.f(x, y, c, b) += hl::select(
            valid,
            wv * dyv.at(hl::clamp(ox, 0, OW - 1), hl::clamp(oy, 0, OH - 1),
                        co, b),
            0.0f);
      }
      Var xo("xo"), xi("xi");
      int w = lanesFor(in.W);
      dx.f.compute_root().vectorize(x, w, TailStrategy::GuardWithIf).parallel(b);
      dx.f.update()
          .split(x, xo, xi, w, TailStrategy::GuardWithIf)
          .reorder(xi, xo, y, r, c, b)
          .vectorize(xi)
          .parallel(b);
      addContribution(inIdx, dx);
    }
    break;
  }
  case OpKind::MaxPool2D:
  case OpKind::AvgPool2D: {
    if (!wantDx)
      break;
    int KH = i32(node.kernel[0]), KW = i32(node.kernel[1]);
    int sx = i32(node.stride[1]), sy = i32(node.stride[0]);
    int dxs = i32(node.dilation[1]), dys = i32(node.dilation[0]);
    int pl = i32(node.padding[1]), pt = i32(node.padding[0]);
    int OW = yv.W, OH = yv.H;
    RDom r(0, KW, 0, KH, "r");
    Expr px = x + pl - r.x * dxs, py = y + pt - r.y * dys;
    Expr ox = px / sx, oy = py / sy;
    Expr valid = px >= 0 && py >= 0 && ox < OW && oy < OH;
    if (sx != 1)
      valid = valid && px % sx == 0;
    if (sy != 1)
      valid = valid && py % sy == 0;
    Expr oxc = hl::clamp(ox, 0, OW - 1), oyc = hl::clamp(oy, 0, OH - 1);
    Value dx = dxLike(inIdx);
    dx.f(x, y, c, b) = 0.0f;
    if (node.kind == OpKind::MaxPool2D) {
      Func am = argmaxPos[idx];
      dx.f(x, y, c, b) += hl::select(
          valid && am(oxc, oyc, c, b)[0] == y * in.W + x,
          dyv.at(oxc, oyc, c, b), 0.0f);
    } else {
      Expr x0 = oxc * sx - pl, y0 = oyc * sy - pt;
      Expr divisor;
      if (node.countIncludePad) {
        Expr yEnd = hl::min(y0 + KH, in.H + i32(node.padding[2]));
        Expr xEnd = hl::min(x0 + KW, in.W + i32(node.padding[3]));
        divisor = (yEnd - y0) * (xEnd - x0);
      } else {
        divisor = (hl::min(y0 + KH, in.H) - hl::max(y0, 0)) *
                  (hl::min(x0 + KW, in.W) - hl::max(x0, 0));
      }
      dx.f(x, y, c, b) += hl::select(
          valid, dyv.at(oxc, oyc, c, b) / hl::cast<float>(divisor), 0.0f);
    }
    rootSchedule(dx);
    addContribution(inIdx, dx);
    break;
  }
  case OpKind::GlobalAvgPool: {
    if (!wantDx)
      break;
    Value dx = dxLike(inIdx);
    dx.f(x, y, c, b) = dyv.flat(c, b) / float(in.H * in.W);
    rootSchedule(dx);
    addContribution(inIdx, dx);
    break;
  }
  case OpKind::Relu:
    elementwise([](Expr d, Expr v) { return hl::select(v > 0.0f, d, 0.0f); });
    break;
  case OpKind::Sigmoid:
    elementwise([](Expr d, Expr v) { return d * v * (1.0f - v); });
    break;
  case OpKind::Tanh:
    elementwise([](Expr d, Expr v) { return d * (1.0f - v * v); });
    break;
  case OpKind::Dropout: {
    if (!wantDx)
      break;
    auto it = dropScale.find(idx);
    Value dx = dxLike(inIdx);
    if (it == dropScale.end()) {
      if (dx.spatial)
        dx.f(x, y, c, b) = dyv.at(x, y, c, b);
      else
        dx.f(i, b) = dyv.flat(i, b);
    } else if (dx.spatial) {
      dx.f(x, y, c, b) =
          dyv.at(x, y, c, b) * it->second((c * dx.H + y) * dx.W + x, b);
    } else {
      dx.f(i, b) = dyv.flat(i, b) * it->second(i, b);
    }
    rootSchedule(dx);
    addContribution(inIdx, dx);
    break;
  }
  case OpKind::Flatten: {
    if (!wantDx)
      break;
    Value dx = dxLike(inIdx);
    if (dx.spatial)
      dx.f(x, y, c, b) = dyv.flat((c * dx.H + y) * dx.W + x, b);
    else
      dx.f(i, b) = dyv.flat(i, b);
    addContribution(inIdx, dx);
    break;
  }
  case OpKind::Softmax: {
    if (!wantDx)
      break;
    RDom r(0, yv.size, "r");
    Func s(nm(idx, "dot"));
    s(b) = hl::sum(hl::cast<double>(dyv.flat(r, b)) *
                   hl::cast<double>(yv.flat(r, b)));
    s.compute_root();
    Value dx = dxLike(inIdx);
    dx.f(i, b) = hl::cast<float>(
        hl::cast<double>(yv.flat(i, b)) *
        (hl::cast<double>(dyv.flat(i, b)) - s(b)));
    dx.f.compute_root().parallel(b);
    addContribution(inIdx, dx);
    break;
  }
  case OpKind::Add: {
    for (int operand : {node.inputs[0], node.inputs[1]}) {
      if (operand <= 0)
        continue;
      Value dx = shapeLike(operand, nm(idx, "dx"));
      if (dx.spatial)
        dx.f(x, y, c, b) = dyv.at(x, y, c, b);
      else
        dx.f(i, b) = dyv.flat(i, b);
      addContribution(operand, dx);
    }
    break;
  }
  case OpKind::BatchNorm: {
    Func inv = bnInv[idx];
    bool wantScale = g.params[node.scale].trainable,
         wantShift = g.params[node.shift].trainable;
    if (wantScale || wantShift) {
      Func ds(nm(idx, "dscale")), dsh(nm(idx, "dshift"));
      Expr d, xv;
      RDom r;
      if (in.spatial) {
        r = RDom(0, in.W, 0, in.H, 0, n, "r");
        d = dyv.at(r.x, r.y, i, r.z);
        xv = in.at(r.x, r.y, i, r.z);
      } else {
        r = RDom(0, n, "r");
        d = dyv.flat(i, r.x);
        xv = in.flat(i, r.x);
      }
      ds(i) = d64(0);
      ds(i) += hl::cast<double>(d) * hl::cast<double>(xv - P(node.mean, i)) *
               hl::cast<double>(inv(i));
      dsh(i) = d64(0);
      dsh(i) += hl::cast<double>(d);
      Func dsf(nm(idx, "dscale_f")), dshf(nm(idx, "dshift_f"));
      dsf(i) = hl::cast<float>(ds(i));
      dshf(i) = hl::cast<float>(dsh(i));
      ds.compute_root().parallel(i);
      ds.update().parallel(i);
      dsh.compute_root().parallel(i);
      dsh.update().parallel(i);
      dsf.compute_root();
      dshf.compute_root();
      if (wantScale)
        grads[node.scale] = dsf;
      if (wantShift)
        grads[node.shift] = dshf;
    }
    if (!wantDx)
      break;
    Value dx = dxLike(inIdx);
    if (dx.spatial)
      dx.f(x, y, c, b) = dyv.at(x, y, c, b) * P(node.scale, c) * inv(c);
    else
      dx.f(i, b) = dyv.flat(i, b) * P(node.scale, i) * inv(i);
    rootSchedule(dx);
    addContribution(inIdx, dx);
    break;
  }
  }
}

bool Builder::build(std::string &error) {
  params.clear();
  for (const std::string &name : pnames)
    params.emplace_back(hl::Float(32), 1, name);
  grads.assign(g.params.size(), Func());
  n = input.dim(1).extent();
  act.assign(g.nodes.size(), Value());
  contribs.assign(g.nodes.size(), {});

  // The input: a view of the caller's (features, batch) buffer.
  act[0] = shapeLike(0, prefix + "input_view");
  if (act[0].spatial)
    act[0].f(x, y, c, b) = input((c * act[0].H + y) * act[0].W + x, b);
  else
    act[0].f(i, b) = input(i, b);
  for (size_t k = 1; k < g.nodes.size(); ++k) {
    act[k] = forwardNode(static_cast<int>(k), error);
    if (!error.empty()) {
      error = "node '" + g.nodes[k].name + "': " + error;
      return false;
    }
  }

  if (!train) {
    output = Func("output");
    output(i, b) = act[g.output].flat(i, b);
    output.compute_root().vectorize(i, V, TailStrategy::GuardWithIf).parallel(b);
    return true;
  }

  // The loss on the logits (a final softmax is folded into it).
  int lossNode = g.output;
  if (g.nodes[lossNode].kind == OpKind::Softmax)
    lossNode = g.nodes[lossNode].inputs[0];
  const Value &L = act[lossNode];
  int classes = L.size;
  RDom rk(0, classes, "rk");
  Func mx(prefix + "logit_max"), se(prefix + "logit_sumexp"),
      lse(prefix + "logsumexp");
  Expr lv = hl::cast<double>(L.flat(rk, b));
  mx(b) = hl::maximum(lv);
  se(b) = hl::sum(hl::exp(lv - mx(b)));
  lse(b) = mx(b) + hl::log(se(b));
  lse.compute_root().parallel(b, 16, TailStrategy::GuardWithIf);
  Expr label = hl::clamp(labels(b), 0, classes - 1);
  Value dl = shapeLike(lossNode, prefix + "dlogits");
  Expr scale = hl::cast<double>(1.0f / hl::cast<float>(n));
  Expr onehot = hl::select(i == label, d64(1), d64(0));
  Func dlf(prefix + "dlogits_flat");
  dlf(i, b) = hl::cast<float>(
      (hl::exp(hl::cast<double>(L.flat(i, b)) - lse(b)) - onehot) * scale);
  dlf.compute_root().parallel(b, 16, TailStrategy::GuardWithIf);
  if (dl.spatial)
    dl.f(x, y, c, b) = dlf((c * dl.H + y) * dl.W + x, b);
  else
    dl.f(i, b) = dlf(i, b);
  contribs[lossNode].push_back(dl);

  RDom rb(0, n, "rb");
  Expr lb = hl::clamp(labels(rb), 0, classes - 1);
  lossSum = Func(prefix + "loss_sum");
  lossSum() = d64(0);
  lossSum() += lse(rb) - hl::cast<double>(L.flat(lb, rb));
  Func best(prefix + "argmax");
  best(b) = hl::argmax(rk, L.flat(rk, b))[0];
  best.compute_root().parallel(b, 16, TailStrategy::GuardWithIf);
  correct = Func(prefix + "correct");
  correct() = 0;
  correct() += hl::select(best(rb) == lb, 1, 0);

  for (int k = lossNode; k >= 1; --k) {
    if (contribs[k].empty())
      continue;
    Value dy = shapeLike(k, nm(k, "grad"));
    if (contribs[k].size() == 1) {
      dy = contribs[k][0];
    } else {
      Expr sum;
      for (const Value &v : contribs[k]) {
        Expr term = dy.spatial ? v.at(x, y, c, b) : v.flat(i, b);
        sum = sum.defined() ? sum + term : term;
      }
      if (dy.spatial)
        dy.f(x, y, c, b) = sum;
      else
        dy.f(i, b) = sum;
      rootSchedule(dy);
    }
    backwardNode(k, dy);
  }
  for (size_t p = 0; p < g.params.size(); ++p)
    if (g.params[p].trainable && !grads[p].defined()) {
      grads[p] = Func(pn(static_cast<int>(p), "grad"));
      grads[p](i) = 0.0f;
    }
  return true;
}

} // namespace

namespace {


/// What the generated kernels are specialised to: every parameter's shape
/// and mask.
struct Signature {
  std::vector<std::vector<int64_t>> shapes;
  std::vector<std::vector<uint8_t>> masks;

  static Signature of(const Graph &g) {
    Signature s;
    for (const Param &p : g.params) {
      s.shapes.push_back(p.shape);
      s.masks.push_back(p.mask);
    }
    return s;
  }
  bool matches(const Graph &g) const {
    if (shapes.size() != g.params.size())
      return false;
    for (size_t p = 0; p < g.params.size(); ++p) {
      const Param &q = g.params[p];
      if (shapes[p] != q.shape || masks[p].size() != q.mask.size() ||
          (!q.mask.empty() &&
           std::memcmp(masks[p].data(), q.mask.data(), q.mask.size()) != 0))
        return false;
    }
    return true;
  }
};

Status checkGraph(const Graph &g) {
  if (Status s = g.verify(); !s)
    return s;
  for (const Param &p : g.params)
    if (p.size() == 0 || p.size() > std::numeric_limits<int32_t>::max())
      return Status::error("parameter '" + p.name + "' has " +
                           std::to_string(p.size()) +
                           " values; the Halide step kernels take 1 to 2^31-1");
  return Status::success();
}

class HalideStep final : public StepKernel {
public:
  HalideStep(const Graph &g, int threads) : g(g), threads(threads) {}
  const char *name() const override { return "halide"; }

  Status forward(const float *x, int64_t n, float *out) override;
  Status train(const float *x, const int32_t *labels, int64_t n,
               uint64_t dropoutSeed, bool maskedGrads, StepResult &result,
               Gradients &grads) override;
  /// Kernels are compiled when first needed and again when the graph's
  /// masks or shapes differ from the ones they were compiled for; refresh()
  /// compiles the training kernels now.
  Status refresh() override { return ensure(/*training=*/true); }
  /// Whether Halide kernels can be built for the graph (without compiling).
  Status check();

private:
  void bindParams(Builder &b);

  const Graph &g;
  int threads;
  /// Compiles the training or the forward kernels unless they match the
  /// graph's masks and shapes.
  Status ensure(bool training);

  Signature trnBuilt, fwdBuilt;
  bool trnReady = false, fwdReady = false;
  std::unique_ptr<Builder> fwd, trn;
  hl::Pipeline fwdPipe, trnPipe;
  /// For gradients of masked-out weights (regrowth), which the generated
  /// kernels do not compute.
  std::unique_ptr<StepKernel> reference;
};

Status HalideStep::check() {
  if (Status s = checkGraph(g); !s)
    return s;
  try {
    hl::Target t = hl::get_jit_target_from_environment();
    std::string error;
    Builder f(g, t, /*train=*/false, "f_"), tr(g, t, /*train=*/true, "");
    if (!f.build(error) || !tr.build(error))
      return Status::error("the Halide step kernels cannot train this "
                           "network: " + error + "; use --kernel reference");
  } catch (const hl::Error &e) {
    return Status::error(std::string("Halide cannot build the step kernels: ") +
                         e.what());
  }
  return Status::success();
}

Status HalideStep::ensure(bool training) {
  Signature &sig = training ? trnBuilt : fwdBuilt;
  bool &ready = training ? trnReady : fwdReady;
  if (ready && sig.matches(g))
    return Status::success();
  if (Status s = checkGraph(g); !s)
    return s;
  ready = false;
  try {
    hl::Target target = hl::get_jit_target_from_environment();
    auto b = std::make_unique<Builder>(g, target, training, training ? "" : "f_");
    std::string error;
    if (!b->build(error))
      return Status::error("the Halide step kernels cannot train this "
                           "network: " + error + "; use --kernel reference");
    if (training) {
      std::vector<Func> outs{b->lossSum, b->correct};
      for (size_t p = 0; p < g.params.size(); ++p)
        if (g.params[p].trainable)
          outs.push_back(b->grads[p]);
      trnPipe = hl::Pipeline(outs);
      trnPipe.compile_jit(target);
      trn = std::move(b);
    } else {
      fwdPipe = hl::Pipeline(b->output);
      fwdPipe.compile_jit(target);
      fwd = std::move(b);
    }
  } catch (const hl::Error &e) {
    return Status::error(std::string("Halide cannot compile the step "
                                     "kernels: ") + e.what());
  }
  sig = Signature::of(g);
  ready = true;
  return Status::success();
}

void HalideStep::bindParams(Builder &b) {
  for (size_t p = 0; p < g.params.size(); ++p) {
    std::vector<float> &v = const_cast<std::vector<float> &>(g.params[p].values);
    b.params[p].set(hl::Buffer<float>(v.data(), static_cast<int>(v.size())));
  }
}

Status HalideStep::forward(const float *x, int64_t n, float *out) {
  if (Status s = ensure(/*training=*/false); !s)
    return s;
  if (n <= 0)
    return Status::success();
  try {
    int in = static_cast<int>(g.inputSize());
    int outSize = static_cast<int>(g.outputSize());
    fwd->input.set(hl::Buffer<float>(const_cast<float *>(x), in,
                                     static_cast<int>(n)));
    bindParams(*fwd);
    hl::Buffer<float> o(out, outSize, static_cast<int>(n));
    fwdPipe.realize(hl::Realization(o));
  } catch (const hl::Error &e) {
    return Status::error(std::string("Halide forward kernel failed: ") +
                         e.what());
  }
  return Status::success();
}

Status HalideStep::train(const float *x, const int32_t *labels, int64_t n,
                         uint64_t dropoutSeed, bool maskedGrads,
                         StepResult &result, Gradients &grads) {
  if (maskedGrads) {
    if (!reference)
      reference = makeReferenceStep(g, threads);
    return reference->train(x, labels, n, dropoutSeed, maskedGrads, result,
                            grads);
  }
  if (Status s = ensure(/*training=*/true); !s)
    return s;
  int lossNode = g.output;
  if (g.nodes[lossNode].kind == OpKind::Softmax)
    lossNode = g.nodes[lossNode].inputs[0];
  int64_t classes = g.nodes[lossNode].size();
  for (int64_t k = 0; k < n; ++k)
    if (labels[k] < 0 || labels[k] >= classes)
      return Status::error("label " + std::to_string(labels[k]) +
                           " is out of range for a network with " +
                           std::to_string(classes) + " outputs");
  result = StepResult();
  if (n <= 0)
    return Status::success();
  try {
    int in = static_cast<int>(g.inputSize());
    trn->input.set(hl::Buffer<float>(const_cast<float *>(x), in,
                                     static_cast<int>(n)));
    trn->labels.set(hl::Buffer<int32_t>(const_cast<int32_t *>(labels),
                                        static_cast<int>(n)));
    trn->seed.set(dropoutSeed);
    bindParams(*trn);
    hl::Buffer<double> loss = hl::Buffer<double>::make_scalar();
    hl::Buffer<int32_t> correct = hl::Buffer<int32_t>::make_scalar();
    std::vector<hl::Buffer<>> outs{loss, correct};
    for (size_t p = 0; p < g.params.size(); ++p)
      if (g.params[p].trainable) {
        grads[p].resize(g.params[p].values.size());
        outs.push_back(hl::Buffer<float>(grads[p].data(),
                                         static_cast<int>(grads[p].size())));
      }
    hl::Realization r(outs);
    trnPipe.realize(r);
    result.loss = loss() / double(n);
    result.correct = correct();
  } catch (const hl::Error &e) {
    return Status::error(std::string("Halide training kernel failed: ") +
                         e.what());
  }
  return Status::success();
}

} // namespace

std::unique_ptr<StepKernel>
sparsec::train::makeHalideStep(const Graph &g, int threads,
                               std::string &error) {
  // Halide's thread pool reads its size when it starts.
  if (threads >= 1)
    setenv("HL_NUM_THREADS", std::to_string(threads).c_str(), 1);
  auto k = std::make_unique<HalideStep>(g, threads);
  if (Status s = k->check(); !s) {
    error = s.message();
    return nullptr;
  }
  return k;
}

namespace {

const char *roleName(ParamRole r) {
  switch (r) {
  case ParamRole::Weight: return "weight";
  case ParamRole::Bias: return "bias";
  case ParamRole::Scale: return "scale";
  case ParamRole::Shift: return "shift";
  case ParamRole::Mean: return "mean";
  case ParamRole::Var: return "var";
  }
  return "?";
}

/// The sparsec part of a --train header: sizes and the parameter table.
std::string trainHeader(const Graph &g, const std::string &name,
                        const std::string &target,
                        const std::string &sourceName) {
  std::vector<std::string> pnames = paramNames(g);
  int lossNode = g.output;
  if (g.nodes[lossNode].kind == OpKind::Softmax)
    lossNode = g.nodes[lossNode].inputs[0];
  std::string guard = "SPARSEC_TRAIN_" + cName(name) + "_H";
  for (char &ch : guard)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string h;
  h += fmt::format(
      "/* Training step of network @{0}, compiled by `sparsec compile --train`\n"
      "   from {1} for {2}. Generated file; do not edit.\n\n"
      "   Entry points (Halide 14 buffers, see HalideBuffer.h; dimensions are\n"
      "   listed innermost first; each returns 0 or a Halide error code):\n\n"
      "   {0}_train_step(input, labels, dropout_seed, <parameters...>,\n"
      "                  loss_sum, correct, <gradients...>)\n"
      "     input [{0}_train_input_size, n] f32, labels [n] i32 in\n"
      "     [0, {0}_train_classes); the parameters in the order of\n"
      "     {0}_train_params, each 1-D of its size. Writes loss_sum (0-D f64,\n"
      "     the summed softmax cross-entropy: divide by n for the mean),\n"
      "     correct (0-D i32) and the gradient of the mean loss for every\n"
      "     trainable parameter, in table order. Masked-out weights (as\n"
      "     compiled) get a zero gradient; dropout is on, drawn from\n"
      "     dropout_seed.\n\n"
      "   {0}_train_forward(input, <parameters...>, output)\n"
      "     inference: output [{0}_train_output_size, n] f32.\n\n"
      "   {0}_train_init(<parameters...>, <masks...>)\n"
      "     writes the compiled parameters' values (1-D f32 each) and, for\n"
      "     each masked parameter in table order, its mask (1-D u8, 1 = kept).\n\n"
      "   Buffers of the wrong shape make a call fail with a Halide error\n"
      "   code; Halide's default error handler prints the message and aborts,\n"
      "   so install one with halide_set_error_handler (HalideRuntime.h) to\n"
      "   get the code back.\n\n"
      "   The kept positions of every masked weight are compiled in: keep\n"
      "   masked-out weights at zero (the runtime's Optimizer does), and\n"
      "   recompile after changing a mask. */\n",
      name, sourceName, target);
  h += fmt::format("#ifndef {0}\n#define {0}\n\n", guard);
  h += "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
       "struct halide_buffer_t;\n\n";
  auto decl = [&](const std::string &fn, const std::vector<std::string> &args) {
    std::string d = "int " + fn + "(";
    for (size_t k = 0; k < args.size(); ++k)
      d += (k ? ",\n    " : "\n    ") + args[k];
    return d + ");\n\n";
  };
  std::vector<std::string> step{"struct halide_buffer_t *input",
                                "struct halide_buffer_t *labels",
                                "uint64_t dropout_seed"};
  std::vector<std::string> fwdArgs{"struct halide_buffer_t *input"};
  std::vector<std::string> init;
  for (const std::string &pn : pnames) {
    step.push_back("struct halide_buffer_t *" + pn);
    fwdArgs.push_back("struct halide_buffer_t *" + pn);
    init.push_back("struct halide_buffer_t *" + pn);
  }
  step.push_back("struct halide_buffer_t *loss_sum");
  step.push_back("struct halide_buffer_t *correct");
  for (size_t k = 0; k < g.params.size(); ++k) {
    if (g.params[k].trainable)
      step.push_back("struct halide_buffer_t *" + pnames[k] + "_grad");
    if (g.params[k].hasMask())
      init.push_back("struct halide_buffer_t *" + pnames[k] + "_mask");
  }
  fwdArgs.push_back("struct halide_buffer_t *output");
  h += decl(name + "_train_step", step);
  h += decl(name + "_train_forward", fwdArgs);
  h += decl(name + "_train_init", init);
  int trainable = 0, masked = 0;
  for (const Param &p : g.params) {
    trainable += p.trainable;
    masked += p.hasMask();
  }
  h += "enum {\n";
  h += fmt::format("  {}_train_input_size = {},\n", name, g.inputSize());
  h += fmt::format("  {}_train_output_size = {},\n", name, g.outputSize());
  h += fmt::format("  {}_train_classes = {},\n", name, g.nodes[lossNode].size());
  h += fmt::format("  {}_train_param_count = {},\n", name, g.params.size());
  h += fmt::format("  {}_train_trainable_count = {},\n", name, trainable);
  h += fmt::format("  {}_train_masked_count = {}\n", name, masked);
  h += "};\n\n";
  h += "#ifndef SPARSEC_TRAIN_PARAM_DEFINED\n#define SPARSEC_TRAIN_PARAM_DEFINED\n"
       "/* One parameter of a compiled training step. */\n"
       "typedef struct sparsec_train_param {\n"
       "  const char *name;     /* as in the network, e.g. \"fc1.weight\" */\n"
       "  const char *role;     /* weight, bias, scale, shift, mean, var */\n"
       "  int rank;\n"
       "  int64_t shape[4];     /* row-major; weights [out, in(, kh, kw)] */\n"
       "  int64_t size;\n"
       "  int trainable;        /* has a gradient output */\n"
       "  int masked;           /* has a mask output in _train_init */\n"
       "} sparsec_train_param;\n#endif\n\n";
  h += fmt::format("static const sparsec_train_param {}_train_params[{}] = {{\n",
                   name, std::max<size_t>(1, g.params.size()));
  for (size_t k = 0; k < g.params.size(); ++k) {
    const Param &p = g.params[k];
    std::string shape;
    for (size_t d = 0; d < 4; ++d)
      shape += (d ? ", " : "") +
               std::to_string(d < p.shape.size() ? p.shape[d] : 0);
    h += fmt::format("  {{\"{}\", \"{}\", {}, {{{}}}, {}, {}, {}}}, /* {} */\n",
                     p.name, roleName(p.role), p.shape.size(), shape, p.size(),
                     int(p.trainable), int(p.hasMask()), pnames[k]);
  }
  h += "};\n\n#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n";
  h += fmt::format("#endif /* {} */\n", guard);
  return h;
}

/// Files written under temporary names and renamed into place together.
class PendingFiles {
public:
  ~PendingFiles() {
    for (auto &[tmp, dest] : files)
      std::remove(tmp.c_str());
  }
  std::string add(const std::string &dest) {
    if (dest.empty())
      return "";
    std::string tmp = dest + ".tmp" + std::to_string(getpid());
    files.push_back({tmp, dest});
    return tmp;
  }
  bool commit(std::string &error) {
    for (auto &[tmp, dest] : files)
      if (std::rename(tmp.c_str(), dest.c_str()) != 0) {
        error = "cannot write '" + dest + "': " + std::strerror(errno);
        return false;
      }
    files.clear();
    return true;
  }

private:
  std::vector<std::pair<std::string, std::string>> files;
};

} // namespace

bool sparsec::train::compileTrainStep(const Graph &g, const std::string &name,
                                      const std::string &halideTarget,
                                      const std::string &sourceName,
                                      const TrainStepOutputs &outputs,
                                      std::string &error) {
  if (Status s = checkGraph(g); !s) {
    error = s.message();
    return false;
  }
  if (cName(name) != name) {
    error = "name @" + name + " is not a C identifier; rename the function";
    return false;
  }
  PendingFiles files;
  std::string obj = files.add(outputs.object), hdr = files.add(outputs.header),
              stmt = files.add(outputs.stmt);
  try {
    hl::Target t(halideTarget);
    Builder trn(g, t, /*train=*/true, ""), fwd(g, t, /*train=*/false, "f_");
    if (!trn.build(error) || !fwd.build(error)) {
      error = "the training step cannot be compiled: " + error;
      return false;
    }
    std::vector<hl::Argument> targs{trn.input, trn.labels, trn.seed};
    std::vector<hl::Argument> fargs{fwd.input};
    for (size_t p = 0; p < g.params.size(); ++p) {
      targs.push_back(trn.params[p]);
      fargs.push_back(fwd.params[p]);
    }
    std::vector<Func> touts{trn.lossSum, trn.correct};
    for (size_t p = 0; p < g.params.size(); ++p)
      if (g.params[p].trainable)
        touts.push_back(trn.grads[p]);
    std::vector<std::string> pnames = paramNames(g);
    hl::Module module = hl::Pipeline(touts).compile_to_module(
        targs, name + "_train_step", t);
    hl::Module fm = hl::Pipeline(fwd.output).compile_to_module(
        fargs, name + "_train_forward", t);
    auto merge = [&](const hl::Module &m) {
      for (const hl::Internal::LoweredFunc &f : m.functions())
        module.append(f);
      for (const hl::Buffer<> &b : m.buffers())
        module.append(b);
    };
    merge(fm);

    // The compiled values and masks, as constants an init function copies.
    std::vector<Func> inits;
    Var i("i");
    for (size_t p = 0; p < g.params.size(); ++p) {
      const Param &q = g.params[p];
      hl::Buffer<float> v(static_cast<int>(q.size()), "init_" + pnames[p] + "_values");
      std::copy(q.values.begin(), q.values.end(), v.data());
      Func f(pnames[p]);
      f(i) = v(i);
      inits.push_back(f);
    }
    for (size_t p = 0; p < g.params.size(); ++p) {
      const Param &q = g.params[p];
      if (!q.hasMask())
        continue;
      hl::Buffer<uint8_t> m(static_cast<int>(q.size()), "init_" + pnames[p] + "_mask_values");
      std::copy(q.mask.begin(), q.mask.end(), m.data());
      Func f(pnames[p] + "_mask");
      f(i) = m(i);
      inits.push_back(f);
    }
    merge(hl::Pipeline(inits).compile_to_module({}, name + "_train_init", t));

    std::map<hl::OutputFileType, std::string> outs;
    if (!obj.empty())
      outs[hl::OutputFileType::object] = obj;
    if (!stmt.empty())
      outs[hl::OutputFileType::stmt] = stmt;
    module.compile(outs);
  } catch (const hl::Error &e) {
    error = std::string("Halide cannot compile the training step: ") + e.what();
    return false;
  }
  if (!hdr.empty()) {
    std::ofstream out(hdr);
    out << trainHeader(g, name, halideTarget, sourceName);
    out.close();
    if (!out) {
      error = "cannot write '" + outputs.header + "'";
      return false;
    }
  }
  return files.commit(error);
}
