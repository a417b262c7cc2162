//===- RuntimeTest.cpp - Unit checks of sparsec's runtime ------*- C++ -*-===//
//
// Part of sparsec's tests. `sparsec-runtime-test <case>` prints the values a
// runtime component computes; the lit files next to this one check them
// (exact values where the arithmetic is exact, finite differences for
// gradients). Links only sparsec_runtime: no MLIR, no LLVM.
//
//===----------------------------------------------------------------------===//

#include "sparsec/runtime/Checkpoint.h"
#include "sparsec/runtime/Data.h"
#include "sparsec/runtime/Optimizer.h"
#include "sparsec/runtime/Prune.h"
#include "sparsec/runtime/Random.h"
#include "sparsec/runtime/Step.h"
#include "sparsec/runtime/Trainer.h"
#ifdef SPARSEC_HALIDE_STEP
#include "sparsec/Train/HalideStep.h"
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>

using namespace sparsec::runtime;

namespace {

void printVec(const char *label, const std::vector<float> &v) {
  std::printf("%s:", label);
  for (float f : v)
    std::printf(" %.9g", f);
  std::printf("\n");
}

void printMask(const Param &p) {
  int64_t rs = p.rowSize();
  for (int64_t r = 0; r < p.rows(); ++r) {
    std::printf("  ");
    for (int64_t c = 0; c < rs; ++c)
      std::printf("%c", p.mask[r * rs + c] ? '1' : '.');
    std::printf("\n");
  }
}

int fail(const Status &s) {
  std::printf("error: %s\n", s.message().c_str());
  return 1;
}

Param makeParam(const std::string &name, std::vector<int64_t> shape,
                std::vector<float> values) {
  Param p;
  p.name = name;
  p.shape = std::move(shape);
  p.values = std::move(values);
  return p;
}

/// A one-layer graph: input of `k` features, dense to `m` outputs.
Graph denseGraph(int64_t k, int64_t m, std::vector<float> w,
                 std::vector<float> b) {
  Graph g;
  Node in;
  in.kind = OpKind::Input;
  in.shape = {k};
  g.add(in);
  Node d;
  d.kind = OpKind::Dense;
  d.name = "fc";
  d.inputs = {0};
  d.shape = {m};
  d.weight = g.addParam(makeParam("w", {m, k}, std::move(w)));
  Param bias = makeParam("b", {m}, std::move(b));
  bias.role = ParamRole::Bias;
  d.bias = g.addParam(bias);
  g.output = g.add(d);
  return g;
}

int rng() {
  Rng r(42);
  for (int i = 0; i < 3; ++i)
    std::printf("next: %llu\n", (unsigned long long)r.next());
  Rng u(7);
  // In sequence: the order in which a call's arguments are evaluated is
  // unspecified (GCC and clang differ).
  float first = u.uniform(), second = u.uniform();
  std::printf("uniform: %.9g %.9g\n", first, second);
  std::vector<int> v(10);
  for (int i = 0; i < 10; ++i)
    v[i] = i;
  Rng s = streamRng(1, Stream::DataOrder, 0);
  shuffle(v, s);
  std::printf("shuffle:");
  for (int i : v)
    std::printf(" %d", i);
  std::printf("\n");
  // The same stream again gives the same order; another epoch does not.
  std::vector<int> w(10), x(10);
  for (int i = 0; i < 10; ++i)
    w[i] = x[i] = i;
  Rng s2 = streamRng(1, Stream::DataOrder, 0), s3 = streamRng(1, Stream::DataOrder, 1);
  shuffle(w, s2);
  shuffle(x, s3);
  std::printf("same: %d, other epoch differs: %d\n", int(w == v), int(x != v));
  return 0;
}

/// Three steps of each optimiser on f(w) = sum(g_i * w_i) with fixed
/// gradients, one weight masked out.
int optim(const std::string &which) {
  OptimizerOptions o;
  if (!parseOptimizer(which, o.kind)) {
    std::printf("unknown optimiser\n");
    return 1;
  }
  o.momentum = 0.5f;
  o.alpha = 0.5f;
  o.beta1 = 0.5f;
  o.beta2 = 0.75f;
  o.epsilon = 0.0f;
  Graph g = denseGraph(3, 1, {1.0f, 2.0f, 0.0f}, {0.5f});
  g.params[0].mask = {1, 1, 0};
  Optimizer opt(o, g);
  Gradients grads = {{1.0f, -2.0f, 5.0f}, {0.25f}};
  for (int i = 0; i < 3; ++i) {
    opt.step(g, grads, 0.5f);
    std::printf("step %d:", i + 1);
    for (const Param &p : g.params)
      for (float f : p.values)
        std::printf(" %.9g", f);
    std::printf("\n");
  }
  if (!opt.state().slot1[0].empty())
    std::printf("masked state: %g\n", opt.state().slot1[0][2]);
  return 0;
}

int decay() {
  OptimizerOptions o;
  o.l2 = 0.5f;
  Graph g = denseGraph(2, 1, {1.0f, -2.0f}, {1.0f});
  Optimizer opt(o, g);
  Gradients grads = {{0.0f, 0.0f}, {0.0f}};
  opt.step(g, grads, 0.5f);
  printVec("l2 weights", g.params[0].values);
  printVec("l2 bias", g.params[1].values);
  OptimizerOptions d;
  d.weightDecay = 0.5f;
  d.kind = OptimizerKind::Adam;
  d.epsilon = 0.0f;
  Graph h = denseGraph(2, 1, {1.0f, -2.0f}, {1.0f});
  Optimizer adam(d, h);
  Gradients hg = {{1.0f, 1.0f}, {1.0f}};
  adam.step(h, hg, 0.5f);
  printVec("adamw weights", h.params[0].values);
  printVec("adamw bias", h.params[1].values);
  return 0;
}

int schedule() {
  LrSchedule s;
  s.base = 1.0;
  s.total = 10;
  s.final = 0.0;
  const char *names[] = {"constant", "step", "linear", "cosine"};
  for (const char *n : names) {
    parseSchedule(n, s.kind);
    s.stepSize = 4;
    s.gamma = 0.5;
    std::printf("%s:", n);
    for (int64_t t = 0; t < 11; ++t)
      std::printf(" %.4g", s.at(t));
    std::printf("\n");
  }
  s.kind = ScheduleKind::Cosine;
  s.warmup = 4;
  std::printf("cosine+warmup:");
  for (int64_t t = 0; t < 11; ++t)
    std::printf(" %.4g", s.at(t));
  std::printf("\n");
  return 0;
}

int prox() {
  Graph g = denseGraph(4, 2, {0.3f, -0.05f, 0.1f, -1.0f, 0.01f, 0.02f, -0.03f, 0.04f},
                       {0.0f, 0.5f});
  proximalL1(g, 0.5f, 0.2f);
  printVec("l1", g.params[0].values);
  printVec("l1 bias", g.params[1].values);
  Graph h = denseGraph(2, 2, {3.0f, 4.0f, 0.1f, 0.1f}, {0.0f, 0.1f});
  // Unit 0: ||u|| = 5, threshold 0.5 * 2 * sqrt(3) = 1.732.
  proximalGroupLasso(h, 0.5f, 2.0f);
  printVec("group", h.params[0].values);
  printVec("group bias", h.params[1].values);
  int64_t total = 0;
  std::printf("dead units: %lld of ", (long long)deadUnits(h, &total));
  std::printf("%lld\n", (long long)total);
  return 0;
}

Graph pruneGraph() {
  std::vector<float> w;
  // 4 x 8, magnitudes distinct: |w[r][c]| = 1 + (r * 8 + c * 5) % 32.
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 8; ++c)
      w.push_back(float(1 + (r * 8 + c * 5) % 32) * ((r + c) % 2 ? -1 : 1));
  Graph g = denseGraph(8, 4, w, {0, 0, 0, 0});
  // A classifier after it, so that the layer under test is a hidden one.
  Node cls;
  cls.kind = OpKind::Dense;
  cls.name = "classes";
  cls.inputs = {1};
  cls.shape = {2};
  cls.weight = g.addParam(
      makeParam("classes", {2, 4}, {1, -2, 3, -4, 5, -6, 7, -8}));
  g.output = g.add(cls);
  return g;
}

int prune(const std::string &gran) {
  Graph g = pruneGraph();
  PruneSpec spec;
  std::string error;
  if (!parseGranularity(gran, spec, error)) {
    std::printf("error: %s\n", error.c_str());
    return 1;
  }
  double target = spec.granularity == Granularity::NM ? nmSparsity(spec) : 0.5;
  int64_t newly = pruneTo(g, {0}, target, spec, nullptr);
  std::printf("%s newly masked %lld, nonzeros %lld of %lld\n", gran.c_str(),
              (long long)newly, (long long)g.params[0].nonzeros(),
              (long long)g.params[0].size());
  printMask(g.params[0]);
  // Masks only shrink: pruning to less keeps what was pruned.
  int64_t again = pruneTo(g, {0}, 0.25, spec, nullptr);
  std::printf("again at 0.25: newly %lld, nonzeros %lld\n", (long long)again,
              (long long)g.params[0].nonzeros());
  if (spec.granularity == Granularity::Channel) {
    // The classifier's units are the classes: never pruned as channels.
    int cls = g.nodes[g.output].weight;
    int64_t none = pruneTo(g, {cls}, 0.5, spec, nullptr);
    std::printf("classifier: newly masked %lld, nonzeros %lld of %lld\n",
                (long long)none, (long long)g.params[cls].nonzeros(),
                (long long)g.params[cls].size());
  }
  return 0;
}

int taylor() {
  Graph g = denseGraph(4, 1, {1.0f, 2.0f, 3.0f, 4.0f}, {0.0f});
  Gradients avg = {{4.0f, 0.1f, 1.0f, 0.01f}, {0.0f}};
  PruneSpec spec;
  spec.criterion = Criterion::Taylor;
  pruneTo(g, {0}, 0.5, spec, &avg);
  printMask(g.params[0]);
  // Global magnitude over two layers.
  Graph h = denseGraph(2, 2, {1.0f, 2.0f, 3.0f, 4.0f}, {0, 0});
  Node d2;
  d2.kind = OpKind::Dense;
  d2.name = "fc2";
  d2.inputs = {1};
  d2.shape = {1};
  d2.weight = h.addParam(makeParam("w2", {1, 2}, {0.5f, 5.0f}));
  h.output = h.add(d2);
  PruneSpec glob;
  glob.global = true;
  pruneTo(h, h.prunable(), 0.5, glob, nullptr);
  printMask(h.params[0]);
  printMask(h.params[2]);
  return 0;
}

int cubic() {
  PruneSchedule s;
  parsePruneSchedule("gradual", s.kind);
  s.initial = 0.0;
  s.final = 0.9;
  s.begin = 10;
  s.frequency = 5;
  s.count = 4;
  std::printf("gradual:");
  for (int64_t t = 0; t <= 35; ++t)
    if (s.prunesAt(t))
      std::printf(" %lld:%.6g", (long long)t, s.sparsityAt(t));
  std::printf("\n");
  parsePruneSchedule("iterative", s.kind);
  std::printf("iterative:");
  for (int64_t t = 0; t <= 35; ++t)
    if (s.prunesAt(t))
      std::printf(" %lld:%.6g", (long long)t, s.sparsityAt(t));
  std::printf("\n");
  parsePruneSchedule("oneshot", s.kind);
  std::printf("oneshot:");
  for (int64_t t = 0; t <= 35; ++t)
    if (s.prunesAt(t))
      std::printf(" %lld:%.6g", (long long)t, s.sparsityAt(t));
  std::printf("\n");
  return 0;
}

/// Masked fine-tuning: masked weights stay zero under every optimiser.
int masked() {
  const char *kinds[] = {"sgd", "momentum", "nesterov", "rmsprop", "adam"};
  for (const char *k : kinds) {
    OptimizerOptions o;
    parseOptimizer(k, o.kind);
    o.l2 = 0.1f;
    o.weightDecay = 0.1f;
    Graph g = denseGraph(4, 2, {1, 2, 3, 4, 5, 6, 7, 8}, {0, 0});
    PruneSpec spec;
    pruneTo(g, {0}, 0.5, spec, nullptr);
    Optimizer opt(o, g);
    Gradients grads = makeGradients(g);
    auto step = makeReferenceStep(g);
    float x[8] = {1, -1, 2, 0.5f, 0.25f, 1, -2, 1};
    int32_t labels[2] = {0, 1};
    StepResult r;
    bool zeros = true, state = true;
    for (int i = 0; i < 5; ++i) {
      if (Status s = step->train(x, labels, 2, 0, false, r, grads); !s)
        return fail(s);
      for (int64_t e = 0; e < 8; ++e)
        zeros &= g.params[0].kept(e) || grads[0][e] == 0.0f;
      opt.step(g, grads, 0.1f);
      proximalL1(g, 0.1f, 0.01f);
    }
    for (int64_t e = 0; e < 8; ++e) {
      if (g.params[0].kept(e))
        continue;
      zeros &= g.params[0].values[e] == 0.0f;
      for (auto *slots : {&opt.state().slot1, &opt.state().slot2})
        if (!(*slots)[0].empty())
          state &= (*slots)[0][e] == 0.0f;
    }
    std::printf("%s: pruned stay zero %d, grads zero %d, state untouched %d, "
                "nonzeros %lld\n",
                k, int(zeros), int(zeros), int(state),
                (long long)g.params[0].nonzeros());
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Gradients against finite differences.

struct Case {
  Graph g;
  int64_t batch = 2;
};

Node node(OpKind kind, int input, std::vector<int64_t> shape) {
  Node n;
  n.kind = kind;
  n.name = opName(kind);
  n.inputs = {input};
  n.shape = std::move(shape);
  return n;
}

std::vector<float> randomValues(Rng &rng, int64_t n, float scale = 1.0f) {
  std::vector<float> v(n);
  for (float &f : v)
    f = rng.uniform(-scale, scale);
  return v;
}

Node conv(Graph &g, Rng &rng, int input, int64_t c, int64_t o, int64_t k,
          int64_t stride, int64_t pad, int64_t dil, int64_t groups) {
  const std::vector<int64_t> &x = g.nodes[input].shape;
  Node n = node(OpKind::Conv2D, input, {});
  n.kernel = {k, k};
  n.stride = {stride, stride};
  n.padding = {pad, pad, pad, pad};
  n.dilation = {dil, dil};
  n.groups = groups;
  int64_t oh = windowOutput(x[1], k, stride, pad, pad, dil, false);
  int64_t ow = windowOutput(x[2], k, stride, pad, pad, dil, false);
  n.shape = {o, oh, ow};
  n.weight = g.addParam(
      makeParam("cw", {o, c / groups, k, k},
                randomValues(rng, o * (c / groups) * k * k, 0.5f)));
  n.bias = g.addParam(makeParam("cb", {o}, randomValues(rng, o, 0.1f)));
  g.params[n.bias].role = ParamRole::Bias;
  return n;
}

/// A network around `op`: input -> [op under test] -> flatten -> dense(3).
Case makeCase(const std::string &op, Rng &rng) {
  Case c;
  Graph &g = c.g;
  Node in;
  in.kind = OpKind::Input;
  bool image = op != "dense" && op != "softmax" && op != "dense-masked";
  in.shape = image ? std::vector<int64_t>{2, 5, 5} : std::vector<int64_t>{6};
  int last = g.add(in);
  // A first layer so that the op under test also passes gradients back.
  if (image) {
    last = g.add(conv(g, rng, last, 2, 4, 1, 1, 0, 1, 1));
  } else {
    Node d = node(OpKind::Dense, last, {5});
    d.weight = g.addParam(makeParam("w0", {5, 6}, randomValues(rng, 30)));
    last = g.add(d);
  }
  auto add = [&](Node n) { return last = g.add(std::move(n)); };
  const std::vector<int64_t> x = g.nodes[last].shape;
  if (op == "dense" || op == "dense-masked") {
    Node d = node(OpKind::Dense, last, {4});
    d.weight = g.addParam(makeParam("w", {4, 5}, randomValues(rng, 20)));
    d.bias = g.addParam(makeParam("b", {4}, randomValues(rng, 4)));
    if (op == "dense-masked") {
      g.params[d.weight].mask = {1, 0, 1, 1, 0, 0, 1, 1, 1, 1,
                                 1, 1, 0, 1, 1, 1, 1, 1, 0, 1};
      g.params[d.weight].applyMask();
    }
    add(d);
  } else if (op == "conv") {
    add(conv(g, rng, last, 4, 3, 3, 1, 1, 1, 1));
  } else if (op == "conv-masked") {
    Node cv = conv(g, rng, last, 4, 3, 3, 1, 1, 1, 1);
    Param &w = g.params[cv.weight];
    w.ensureMask();
    for (int64_t e = 0; e < w.size(); ++e)
      w.mask[e] = rng.uniform() < 0.4f ? 1 : 0;
    w.applyMask();
    add(cv);
  } else if (op == "conv-strided") {
    add(conv(g, rng, last, 4, 2, 3, 2, 1, 1, 1));
  } else if (op == "conv-dilated") {
    add(conv(g, rng, last, 4, 2, 2, 1, 1, 2, 1));
  } else if (op == "conv-grouped") {
    add(conv(g, rng, last, 4, 4, 3, 1, 1, 1, 2));
  } else if (op == "conv-depthwise") {
    add(conv(g, rng, last, 4, 4, 3, 1, 0, 1, 4));
  } else if (op == "maxpool" || op == "avgpool" || op == "avgpool-nopad") {
    Node p = node(op == "maxpool" ? OpKind::MaxPool2D : OpKind::AvgPool2D,
                  last, {});
    p.kernel = {3, 3};
    p.stride = {2, 2};
    p.padding = {1, 1, 1, 1};
    p.countIncludePad = op != "avgpool-nopad";
    p.shape = {x[0], windowOutput(x[1], 3, 2, 1, 1, 1, false),
               windowOutput(x[2], 3, 2, 1, 1, 1, false)};
    add(p);
  } else if (op == "global_avgpool") {
    add(node(OpKind::GlobalAvgPool, last, {x[0], 1, 1}));
  } else if (op == "relu") {
    add(node(OpKind::Relu, last, x));
  } else if (op == "sigmoid") {
    add(node(OpKind::Sigmoid, last, x));
  } else if (op == "tanh") {
    add(node(OpKind::Tanh, last, x));
  } else if (op == "dropout") {
    Node d = node(OpKind::Dropout, last, x);
    d.rate = 0.5f;
    add(d);
  } else if (op == "softmax") {
    add(node(OpKind::Softmax, last, x));
  } else if (op == "add") {
    int a = last;
    Node t = node(OpKind::Tanh, a, x);
    int b = add(t);
    Node s = node(OpKind::Add, a, x);
    s.inputs = {a, b};
    add(s);
  } else if (op == "batchnorm") {
    Node b = node(OpKind::BatchNorm, last, x);
    b.scale = g.addParam(makeParam("scale", {x[0]}, randomValues(rng, x[0])));
    b.shift = g.addParam(makeParam("shift", {x[0]}, randomValues(rng, x[0])));
    b.mean = g.addParam(makeParam("mean", {x[0]}, randomValues(rng, x[0])));
    std::vector<float> var = randomValues(rng, x[0]);
    for (float &v : var)
      v = 0.5f + std::fabs(v);
    b.var = g.addParam(makeParam("var", {x[0]}, var));
    g.params[b.mean].trainable = g.params[b.var].trainable = false;
    add(b);
  }
  if (g.nodes[last].shape.size() == 3)
    add(node(OpKind::Flatten, last, {g.nodes[last].size()}));
  Node head = node(OpKind::Dense, last, {3});
  head.weight = g.addParam(
      makeParam("head", {3, g.nodes[last].size()},
                randomValues(rng, 3 * g.nodes[last].size())));
  g.output = add(head);
  return c;
}

int gradcheck(const std::string &op) {
  Rng rng(hashWords(std::hash<std::string>()(op), 5));
  Case c = makeCase(op, rng);
  Graph &g = c.g;
  if (Status s = g.verify(); !s)
    return fail(s);
  int64_t n = c.batch;
  std::vector<float> x = randomValues(rng, n * g.inputSize());
  std::vector<int32_t> labels = {0, 2};
  auto kernel = makeReferenceStep(g);
  Gradients grads = makeGradients(g);
  StepResult r;
  uint64_t seed = 99;
  if (Status s = kernel->train(x.data(), labels.data(), n, seed, false, r,
                               grads);
      !s)
    return fail(s);
  double worst = 0.0;
  int64_t checked = 0, kinks = 0;
  const float h = 1e-3f;
  for (size_t p = 0; p < g.params.size(); ++p) {
    if (!g.params[p].trainable)
      continue;
    for (int64_t i = 0; i < g.params[p].size(); ++i) {
      if (!g.params[p].kept(i))
        continue;
      float saved = g.params[p].values[i];
      Gradients scratch = makeGradients(g);
      StepResult plus, minus;
      g.params[p].values[i] = saved + h;
      (void)kernel->train(x.data(), labels.data(), n, seed, false, plus,
                          scratch);
      g.params[p].values[i] = saved - h;
      (void)kernel->train(x.data(), labels.data(), n, seed, false, minus,
                          scratch);
      g.params[p].values[i] = saved;
      // Relu and max pooling have kinks; a difference that straddles one
      // is no derivative: skip elements whose one-sided slopes disagree.
      double right = (plus.loss - r.loss) / h, left = (r.loss - minus.loss) / h;
      if (std::fabs(right - left) >
          0.05 * std::max({std::fabs(right), std::fabs(left), 1e-2})) {
        ++kinks;
        continue;
      }
      double fd = (plus.loss - minus.loss) / (2.0 * h);
      double an = grads[p][i];
      double err = std::fabs(fd - an) / std::max(1e-2, std::fabs(fd));
      worst = std::max(worst, err);
      ++checked;
    }
  }
  // Skipping is for the odd element at a kink, never most of them.
  if (kinks * 10 > checked) {
    std::printf("%s: %lld of %lld elements at kinks\n", op.c_str(),
                (long long)kinks, (long long)(checked + kinks));
    return 1;
  }
  std::printf("%s: %lld gradients, max relative error %s\n", op.c_str(),
              (long long)checked, worst < 2e-2 ? "< 2e-2" : "TOO LARGE");
  if (worst >= 2e-2)
    std::printf("  worst %g\n", worst);
  return worst < 2e-2 ? 0 : 1;
}

// The threaded reference step against one thread: the same loss, accuracy
// and gradients (up to the order of float sums), with 7 examples split into
// uneven shards; and bit-identical results from run to run.
int threads(const std::string &op) {
  Rng rng(hashWords(std::hash<std::string>()(op), 11));
  Case c = makeCase(op, rng);
  Graph &g = c.g;
  if (Status s = g.verify(); !s)
    return fail(s);
  const int64_t n = 7;
  std::vector<float> x = randomValues(rng, n * g.inputSize());
  std::vector<int32_t> labels(n);
  for (int64_t i = 0; i < n; ++i)
    labels[i] = int32_t(i % 3);
  auto run = [&](int t, StepResult &r, Gradients &grads,
                 std::vector<float> &out) {
    auto kernel = makeReferenceStep(g, t);
    grads = makeGradients(g);
    out.assign(n * g.outputSize(), 0.0f);
    if (Status s = kernel->train(x.data(), labels.data(), n, 99, false, r,
                                 grads);
        !s)
      return s;
    return kernel->forward(x.data(), n, out.data());
  };
  StepResult one;
  Gradients gOne;
  std::vector<float> oOne;
  if (Status s = run(1, one, gOne, oOne); !s)
    return fail(s);
  int bad = 0;
  for (int t : {2, 3}) {
    StepResult a, b;
    Gradients ga, gb;
    std::vector<float> oa, ob;
    if (Status s = run(t, a, ga, oa); !s)
      return fail(s);
    if (Status s = run(t, b, gb, ob); !s)
      return fail(s);
    bool same = a.loss == b.loss && a.correct == b.correct && ga == gb &&
                oa == ob;
    double worst = 0.0;
    for (size_t p = 0; p < gOne.size(); ++p)
      for (size_t i = 0; i < gOne[p].size(); ++i)
        worst = std::max(worst, std::fabs(double(ga[p][i]) - gOne[p][i]) /
                                    (1.0 + std::fabs(gOne[p][i])));
    double outErr = 0.0;
    for (size_t i = 0; i < oOne.size(); ++i)
      outErr = std::max(outErr, std::fabs(double(oa[i]) - oOne[i]));
    double lossErr = std::fabs(a.loss - one.loss) / std::max(1.0, one.loss);
    bool ok = same && worst < 1e-5 && outErr < 1e-5 && lossErr < 1e-6 &&
              a.correct == one.correct;
    std::printf("%s, %d threads: %s, repeatable %s\n", op.c_str(), t,
                ok ? "agrees with 1 thread" : "DIFFERS", same ? "yes" : "NO");
    if (!ok)
      std::printf("  grads %g, outputs %g, loss %g, correct %lld vs %lld\n",
                  worst, outErr, lossErr, (long long)a.correct,
                  (long long)one.correct);
    bad += !ok;
  }
  return bad;
}

int checkpoint(const std::string &dir) {
  ArchiveWriter w;
  w.u64(7);
  w.floats({1.5f, -0.0f, 3.25f});
  w.str("hello");
  std::string path = dir + "/ck.bin";
  if (Status s = w.commit(path); !s)
    return fail(s);
  ArchiveReader r;
  if (Status s = r.open(path); !s)
    return fail(s);
  uint64_t v;
  std::vector<float> f;
  std::string str;
  r.u64(v);
  r.floats(f);
  r.str(str);
  std::printf("read %llu, %g %g %g, '%s', ok %d, at end %d\n",
              (unsigned long long)v, f[0], f[1], f[2], str.c_str(),
              int(r.ok()), int(r.atEnd()));
  // Flip one byte: the checksum catches it.
  FILE *fp = std::fopen(path.c_str(), "r+b");
  std::fseek(fp, 12, SEEK_SET);
  std::fputc(0x55, fp);
  std::fclose(fp);
  ArchiveReader bad;
  Status s = bad.open(path);
  std::printf("corrupt: %s\n", s.ok() ? "accepted" : s.message().c_str());
  return 0;
}

int loadData(const std::string &dir) {
  for (Split split : {Split::Train, Split::Test}) {
    Dataset d;
    if (Status s = loadSplit(dir, split, d, 0); !s) {
      std::printf("error: %s\n", s.message().c_str());
      continue;
    }
    std::printf("%s: %lld images %lldx%lld, classes %d, first label %d, "
                "pixel[0][1] %.9g\n",
                split == Split::Train ? "train" : "test", (long long)d.count,
                (long long)d.rows, (long long)d.cols, d.classes(),
                d.labels[0], d.images[1]);
  }
  return 0;
}

/// A tiny synthetic problem: 4 classes of 2x2 "images".
Dataset synthetic(int64_t n, uint64_t seed) {
  Dataset d;
  d.imagesFile = "synthetic";
  d.labelsFile = "synthetic";
  d.count = n;
  d.rows = d.cols = 2;
  Rng rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    int32_t label = static_cast<int32_t>(rng.below(4));
    d.labels.push_back(label);
    for (int p = 0; p < 4; ++p)
      d.images.push_back((p == label ? 1.0f : -0.5f) + rng.uniform(-0.3f, 0.3f));
  }
  return d;
}

Graph mlp() {
  Rng rng(3);
  Graph g;
  Node in;
  in.kind = OpKind::Input;
  in.shape = {4};
  g.add(in);
  Node h = node(OpKind::Dense, 0, {6});
  h.weight = g.addParam(makeParam("w1", {6, 4}, randomValues(rng, 24, 0.5f)));
  h.bias = g.addParam(makeParam("b1", {6}, std::vector<float>(6, 0.0f)));
  int hi = g.add(h);
  int r = g.add(node(OpKind::Relu, hi, {6}));
  Node d = node(OpKind::Dropout, r, {6});
  d.rate = 0.2f;
  int di = g.add(d);
  Node o = node(OpKind::Dense, di, {4});
  o.weight = g.addParam(makeParam("w2", {4, 6}, randomValues(rng, 24, 0.5f)));
  o.bias = g.addParam(makeParam("b2", {4}, std::vector<float>(4, 0.0f)));
  g.output = g.add(o);
  return g;
}

class Printer : public TrainObserver {
public:
  void onEpoch(const EpochStats &e, const std::vector<EpochStats> &) override {
    std::printf("epoch %lld: loss %.4f acc %.4f test %.4f sparsity %.3f\n",
                (long long)e.epoch, e.trainLoss, e.trainAccuracy,
                e.testAccuracy, e.sparsity);
  }
  void onEvent(const std::string &what) override {
    std::printf("event: %s\n", what.c_str());
  }
};

TrainOptions trainOptions(const std::string &what) {
  TrainOptions o;
  o.epochs = 4;
  o.batch = 8;
  o.seed = 11;
  o.optimizer.kind = OptimizerKind::Nesterov;
  o.lr.base = 0.1;
  o.lr.kind = ScheduleKind::Cosine;
  o.lr.warmup = 3;
  if (what == "gradual" || what == "resume") {
    o.prune.kind = PruneScheduleKind::Gradual;
    o.prune.final = 0.5;
    o.prune.begin = 4;
    o.prune.frequency = 4;
    o.prune.count = 5;
    o.pruneSpec.criterion = Criterion::Taylor;
  }
  if (what == "rigl") {
    o.rigl.every = 5;
    o.rigl.end = 30;
  }
  if (what == "grow") {
    o.grow.units = 2;
    o.grow.connections = 0.1;
    o.grow.targetAccuracy = 1.01;
  }
  return o;
}

std::vector<uint8_t> weightBytes(const Graph &g) {
  std::vector<uint8_t> out;
  for (const Param &p : g.params) {
    const uint8_t *b = reinterpret_cast<const uint8_t *>(p.values.data());
    out.insert(out.end(), b, b + 4 * p.values.size());
    out.insert(out.end(), p.mask.begin(), p.mask.end());
  }
  return out;
}

int train(const std::string &what, const std::string &dir) {
  Dataset data = synthetic(96, 1), test = synthetic(40, 2);
  Graph g = mlp();
  if (what == "rigl") {
    PruneSpec spec;
    pruneTo(g, g.prunable(), 0.5, spec, nullptr);
  }
  auto kernel = makeReferenceStep(g);
  TrainOptions o = trainOptions(what);
  Printer printer;
  if (what != "resume") {
    Trainer t(g, *kernel, o);
    if (Status s = t.run(data, &test, &printer); !s)
      return fail(s);
    std::printf("shapes: w1 %lldx%lld w2 %lldx%lld\n",
                (long long)g.params[0].shape[0],
                (long long)g.params[0].shape[1],
                (long long)g.params[2].shape[0],
                (long long)g.params[2].shape[1]);
    return 0;
  }
  // Uninterrupted run.
  Trainer full(g, *kernel, o);
  if (Status s = full.run(data, &test, nullptr); !s)
    return fail(s);
  std::vector<uint8_t> expect = weightBytes(g);
  // Runs interrupted between checkpoints (every 5 steps) at steps 13, 27
  // and 40, each continued by a new trainer (as a new process would) from
  // the checkpoint file alone: steps since the last checkpoint are redone.
  o.checkpointEvery = 5;
  o.checkpointPath = dir + "/resume.ckpt";
  std::remove(o.checkpointPath.c_str());
  struct StopAt : TrainObserver {
    int64_t at;
    bool onStep(const Progress &p) override { return p.step < at; }
  };
  for (int64_t stop : {13, 27, 40, 1000}) {
    Graph h = mlp();
    auto k = makeReferenceStep(h);
    Trainer t(h, *k, o);
    if (stop != 13)
      if (Status s = t.resume(o.checkpointPath); !s)
        return fail(s);
    int64_t from = t.step();
    StopAt observer;
    observer.at = stop;
    if (Status s = t.run(data, &test, &observer); !s)
      return fail(s);
    std::printf("from step %lld to %lld%s", (long long)from,
                (long long)t.step(), t.stopped() ? " (interrupted)" : "");
    if (!t.stopped())
      std::printf(": bit-identical %d, history %zu epochs",
                  int(weightBytes(h) == expect), t.history().size());
    std::printf("\n");
  }
  // Other options are refused.
  o.seed = 12;
  Graph h = mlp();
  auto k = makeReferenceStep(h);
  Trainer t(h, *k, o);
  Status s = t.resume(o.checkpointPath);
  std::printf("other seed: %s\n", s.message().c_str());
  return 0;
}

int grow() {
  Graph g = mlp();
  std::vector<float> x = {0.1f, 0.9f, 0.2f, 0.3f};
  auto k = makeReferenceStep(g);
  std::vector<float> before(4), after(4);
  (void)k->forward(x.data(), 1, before.data());
  if (Status s = growUnits(g, 1, 3, 5); !s)
    return fail(s);
  (void)k->forward(x.data(), 1, after.data());
  std::printf("grown: hidden %lld, w1 %lldx%lld, w2 %lldx%lld, same outputs %d\n",
              (long long)g.nodes[1].shape[0], (long long)g.params[0].shape[0],
              (long long)g.params[0].shape[1], (long long)g.params[2].shape[0],
              (long long)g.params[2].shape[1], int(before == after));
  Status bad = growUnits(g, 4, 1, 5);
  std::printf("output layer: %s\n", bad.message().c_str());
  return 0;
}

#ifdef SPARSEC_HALIDE_STEP
/// The Halide-generated step against the reference step on the same batch:
/// loss, correct count, every gradient and the forward output, for one and
/// two threads and a batch that is not a multiple of the vector width.
int halide(const std::string &op, int threadCount) {
  Rng rng(hashWords(std::hash<std::string>()(op), 13));
  Case c = makeCase(op, rng);
  Graph &g = c.g;
  if (Status s = g.verify(); !s)
    return fail(s);
  const int64_t n = 13;
  std::vector<float> x = randomValues(rng, n * g.inputSize());
  std::vector<int32_t> labels(n);
  for (int64_t i = 0; i < n; ++i)
    labels[i] = int32_t((i * 7) % 3);
  std::string error;
  std::unique_ptr<StepKernel> hk =
      sparsec::train::makeHalideStep(g, threadCount, error);
  if (!hk)
    return fail(Status::error(error));
  auto ref = makeReferenceStep(g, 1);
  StepResult rr, hr;
  Gradients rg = makeGradients(g), hg = makeGradients(g);
  for (auto &v : hg)
    std::fill(v.begin(), v.end(), 123.0f); // every element must be written
  std::vector<float> ro(n * g.outputSize()), ho(ro.size());
  if (Status s = ref->train(x.data(), labels.data(), n, 99, false, rr, rg); !s)
    return fail(s);
  if (Status s = hk->train(x.data(), labels.data(), n, 99, false, hr, hg); !s)
    return fail(s);
  if (Status s = ref->forward(x.data(), n, ro.data()); !s)
    return fail(s);
  if (Status s = hk->forward(x.data(), n, ho.data()); !s)
    return fail(s);
  double worst = 0.0, outErr = 0.0;
  bool maskedZero = true;
  int64_t compared = 0;
  for (size_t p = 0; p < rg.size(); ++p)
    for (size_t i = 0; i < rg[p].size(); ++i) {
      worst = std::max(worst, std::fabs(double(hg[p][i]) - rg[p][i]) /
                                  (1e-3 + std::fabs(rg[p][i])));
      if (!g.params[p].kept(int64_t(i)))
        maskedZero &= hg[p][i] == 0.0f;
      ++compared;
    }
  for (size_t i = 0; i < ro.size(); ++i)
    outErr = std::max(outErr, std::fabs(double(ho[i]) - ro[i]) /
                                  (1e-3 + std::fabs(ro[i])));
  double lossErr = std::fabs(hr.loss - rr.loss) / std::max(1e-3, rr.loss);
  bool ok = worst < 1e-3 && outErr < 1e-4 && lossErr < 1e-5 &&
            hr.correct == rr.correct && maskedZero;
  std::printf("%s, %d threads: halide %s reference (%lld gradients), masked "
              "gradients zero %s\n",
              op.c_str(), threadCount, ok ? "agrees with" : "DIFFERS from",
              (long long)compared, maskedZero ? "yes" : "NO");
  if (!ok)
    std::printf("  gradients %g, output %g, loss %g (%g vs %g), correct %lld "
                "vs %lld\n",
                worst, outErr, lossErr, hr.loss, rr.loss,
                (long long)hr.correct, (long long)rr.correct);
  return ok ? 0 : 1;
}
#endif

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sparsec-runtime-test <case> [arg]\n");
    return 2;
  }
  std::string c = argv[1], arg = argc > 2 ? argv[2] : "";
  if (c == "rng")
    return rng();
  if (c == "optim")
    return optim(arg);
  if (c == "decay")
    return decay();
  if (c == "schedule")
    return schedule();
  if (c == "prox")
    return prox();
  if (c == "prune")
    return prune(arg);
  if (c == "taylor")
    return taylor();
  if (c == "cubic")
    return cubic();
  if (c == "masked")
    return masked();
  if (c == "gradcheck")
    return gradcheck(arg);
  if (c == "threads")
    return threads(arg);
  if (c == "checkpoint")
    return checkpoint(arg);
  if (c == "data")
    return loadData(arg);
  if (c == "train")
    return train(arg, argc > 3 ? argv[3] : ".");
  if (c == "grow")
    return grow();
#ifdef SPARSEC_HALIDE_STEP
  if (c == "halide")
    return halide(arg, argc > 3 ? std::atoi(argv[3]) : 1);
#endif
  std::fprintf(stderr, "unknown case '%s'\n", c.c_str());
  return 2;
}
