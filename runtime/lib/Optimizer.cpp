//===- Optimizer.cpp - Optimisers, schedules and regularisers ---*- C++ -*-===//
//
// Part of sparsec's runtime. The update rules are PyTorch's (torch.optim
// 1.13) so that hyper-parameters carry over.
//
//===----------------------------------------------------------------------===//

#include "sparsec/runtime/Optimizer.h"

#include <cmath>

using namespace sparsec::runtime;

bool sparsec::runtime::parseOptimizer(const std::string &s,
                                      OptimizerKind &out) {
  if (s == "sgd")
    out = OptimizerKind::SGD;
  else if (s == "momentum")
    out = OptimizerKind::Momentum;
  else if (s == "nesterov")
    out = OptimizerKind::Nesterov;
  else if (s == "rmsprop")
    out = OptimizerKind::RMSprop;
  else if (s == "adam")
    out = OptimizerKind::Adam;
  else
    return false;
  return true;
}

const char *sparsec::runtime::optimizerName(OptimizerKind k) {
  switch (k) {
  case OptimizerKind::SGD: return "sgd";
  case OptimizerKind::Momentum: return "momentum";
  case OptimizerKind::Nesterov: return "nesterov";
  case OptimizerKind::RMSprop: return "rmsprop";
  case OptimizerKind::Adam: return "adam";
  }
  return "?";
}

Optimizer::Optimizer(const OptimizerOptions &options, const Graph &g)
    : opts(options) {
  size_t n = g.params.size();
  st.slot1.resize(n);
  st.slot2.resize(n);
  isWeight.assign(n, false);
  for (int p : g.prunable())
    isWeight[p] = true;
  bool one = opts.kind != OptimizerKind::SGD;
  bool two = opts.kind == OptimizerKind::Adam;
  for (size_t p = 0; p < n; ++p) {
    if (!g.params[p].trainable)
      continue;
    if (one)
      st.slot1[p].assign(g.params[p].values.size(), 0.0f);
    if (two)
      st.slot2[p].assign(g.params[p].values.size(), 0.0f);
  }
}

void Optimizer::resetElement(int param, int64_t index) {
  if (!st.slot1[param].empty())
    st.slot1[param][index] = 0.0f;
  if (!st.slot2[param].empty())
    st.slot2[param][index] = 0.0f;
}

void Optimizer::step(Graph &g, const Gradients &grads, float lr) {
  ++st.steps;
  float b1 = opts.beta1, b2 = opts.beta2;
  float c1 = 1.0f - std::pow(b1, float(st.steps));
  float c2 = 1.0f - std::pow(b2, float(st.steps));
  for (size_t p = 0; p < g.params.size(); ++p) {
    Param &prm = g.params[p];
    if (!prm.trainable)
      continue;
    float *w = prm.values.data();
    const float *gr = grads[p].data();
    float *s1 = st.slot1[p].empty() ? nullptr : st.slot1[p].data();
    float *s2 = st.slot2[p].empty() ? nullptr : st.slot2[p].data();
    float l2 = isWeight[p] ? opts.l2 : 0.0f;
    float decay = isWeight[p] ? opts.weightDecay : 0.0f;
    if (opts.kind == OptimizerKind::SGD && decay == 0.0f) {
      // The common case as one branch-free loop the compiler vectorises;
      // the same arithmetic as below for kept weights, none for the others.
      const uint8_t *m = prm.hasMask() ? prm.mask.data() : nullptr;
      int64_t size = prm.size();
      if (m) {
        for (int64_t i = 0; i < size; ++i) {
          float next = w[i] - lr * (gr[i] + l2 * w[i]);
          w[i] = m[i] ? next : w[i];
        }
      } else {
        for (int64_t i = 0; i < size; ++i)
          w[i] -= lr * (gr[i] + l2 * w[i]);
      }
      continue;
    }
    for (int64_t i = 0; i < prm.size(); ++i) {
      if (!prm.kept(i))
        continue;
      float gi = gr[i] + l2 * w[i];
      // Decoupled decay shrinks the weight before the step, as AdamW does.
      if (decay != 0.0f)
        w[i] *= 1.0f - lr * decay;
      switch (opts.kind) {
      case OptimizerKind::SGD:
        w[i] -= lr * gi;
        break;
      case OptimizerKind::Momentum:
        s1[i] = opts.momentum * s1[i] + gi;
        w[i] -= lr * s1[i];
        break;
      case OptimizerKind::Nesterov:
        s1[i] = opts.momentum * s1[i] + gi;
        w[i] -= lr * (gi + opts.momentum * s1[i]);
        break;
      case OptimizerKind::RMSprop:
        s1[i] = opts.alpha * s1[i] + (1.0f - opts.alpha) * gi * gi;
        w[i] -= lr * gi / (std::sqrt(s1[i]) + opts.epsilon);
        break;
      case OptimizerKind::Adam: {
        s1[i] = b1 * s1[i] + (1.0f - b1) * gi;
        s2[i] = b2 * s2[i] + (1.0f - b2) * gi * gi;
        float denom = std::sqrt(s2[i]) / std::sqrt(c2) + opts.epsilon;
        w[i] -= (lr / c1) * s1[i] / denom;
        break;
      }
      }
    }
  }
}

bool sparsec::runtime::parseSchedule(const std::string &s, ScheduleKind &out) {
  if (s == "constant")
    out = ScheduleKind::Constant;
  else if (s == "step")
    out = ScheduleKind::Step;
  else if (s == "linear")
    out = ScheduleKind::Linear;
  else if (s == "cosine")
    out = ScheduleKind::Cosine;
  else
    return false;
  return true;
}

double LrSchedule::at(int64_t step) const {
  if (step < warmup)
    return base * double(step + 1) / double(warmup);
  int64_t t = step - warmup;
  int64_t span = std::max<int64_t>(1, total - warmup);
  double frac = std::min(1.0, double(t) / double(span));
  switch (kind) {
  case ScheduleKind::Constant:
    return base;
  case ScheduleKind::Step:
    return base * std::pow(gamma, double(t / std::max<int64_t>(1, stepSize)));
  case ScheduleKind::Linear:
    return base + (final - base) * frac;
  case ScheduleKind::Cosine:
    return final + (base - final) * 0.5 * (1.0 + std::cos(M_PI * frac));
  }
  return base;
}

void sparsec::runtime::proximalL1(Graph &g, float lr, float l1) {
  float t = lr * l1;
  if (t <= 0.0f)
    return;
  for (int p : g.prunable()) {
    Param &prm = g.params[p];
    for (float &w : prm.values) {
      float a = std::fabs(w) - t;
      w = a > 0.0f ? std::copysign(a, w) : 0.0f;
    }
  }
}

void sparsec::runtime::proximalGroupLasso(Graph &g, float lr, float lambda) {
  if (lr * lambda <= 0.0f)
    return;
  for (const Node &n : g.nodes) {
    if ((n.kind != OpKind::Dense && n.kind != OpKind::Conv2D) || n.weight < 0)
      continue;
    Param &w = g.params[n.weight];
    Param *b = n.bias >= 0 && g.params[n.bias].trainable ? &g.params[n.bias]
                                                         : nullptr;
    int64_t rs = w.rowSize();
    for (int64_t r = 0; r < w.rows(); ++r) {
      float *row = &w.values[r * rs];
      double norm2 = 0.0;
      int64_t size = rs + (b ? 1 : 0);
      for (int64_t i = 0; i < rs; ++i)
        norm2 += double(row[i]) * row[i];
      if (b)
        norm2 += double(b->values[r]) * b->values[r];
      double norm = std::sqrt(norm2);
      double t = double(lr) * lambda * std::sqrt(double(size));
      float scale = norm > t ? static_cast<float>(1.0 - t / norm) : 0.0f;
      for (int64_t i = 0; i < rs; ++i)
        row[i] *= scale;
      if (b)
        b->values[r] *= scale;
    }
  }
}

double sparsec::runtime::l1Penalty(const Graph &g) {
  double s = 0.0;
  for (int p : g.prunable())
    for (float w : g.params[p].values)
      s += std::fabs(w);
  return s;
}

double sparsec::runtime::l2Penalty(const Graph &g) {
  double s = 0.0;
  for (int p : g.prunable())
    for (float w : g.params[p].values)
      s += double(w) * w;
  return 0.5 * s;
}

int64_t sparsec::runtime::deadUnits(const Graph &g, int64_t *total) {
  int64_t dead = 0, all = 0;
  for (const Node &n : g.nodes) {
    if ((n.kind != OpKind::Dense && n.kind != OpKind::Conv2D) || n.weight < 0)
      continue;
    const Param &w = g.params[n.weight];
    int64_t rs = w.rowSize();
    for (int64_t r = 0; r < w.rows(); ++r) {
      ++all;
      bool zero = n.bias < 0 || g.params[n.bias].values[r] == 0.0f;
      for (int64_t i = 0; zero && i < rs; ++i)
        zero = w.values[r * rs + i] == 0.0f;
      dead += zero;
    }
  }
  if (total)
    *total = all;
  return dead;
}
