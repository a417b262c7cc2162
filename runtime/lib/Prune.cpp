//===- Prune.cpp - Pruning during training ----------------------*- C++ -*-===//
//
// Part of sparsec's runtime. Ties between equal scores go to the lower
// index, so masks are the same on every machine.
//
//===----------------------------------------------------------------------===//

#include "sparsec/runtime/Prune.h"
#include "sparsec/runtime/Optimizer.h"
#include "sparsec/runtime/Random.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace sparsec::runtime;

bool sparsec::runtime::parseGranularity(const std::string &s, PruneSpec &spec,
                                        std::string &error) {
  auto number = [](const std::string &t, int64_t &out) {
    if (t.empty() || t.size() > 6 ||
        !std::all_of(t.begin(), t.end(), ::isdigit))
      return false;
    out = std::stoll(t);
    return out > 0;
  };
  if (s == "unstructured") {
    spec.granularity = Granularity::Unstructured;
    return true;
  }
  if (s == "channel" || s == "channels" || s == "filter" || s == "neuron") {
    spec.granularity = Granularity::Channel;
    return true;
  }
  if (s.rfind("block:", 0) == 0) {
    std::string dims = s.substr(6);
    size_t x = dims.find('x');
    if (x == std::string::npos || !number(dims.substr(0, x), spec.blockRows) ||
        !number(dims.substr(x + 1), spec.blockCols)) {
      error = "a block granularity is 'block:RxC' with positive R and C, "
              "not '" + s + "'";
      return false;
    }
    spec.granularity = Granularity::Block;
    return true;
  }
  size_t colon = s.find(':');
  if (colon != std::string::npos) {
    if (!number(s.substr(0, colon), spec.n) ||
        !number(s.substr(colon + 1), spec.m) || spec.n >= spec.m) {
      error = "an N:M granularity needs 0 < N < M, not '" + s + "'";
      return false;
    }
    spec.granularity = Granularity::NM;
    return true;
  }
  error = "unknown granularity '" + s +
          "'; use unstructured, N:M (e.g. 2:4), block:RxC (e.g. block:4x1) "
          "or channel";
  return false;
}

double sparsec::runtime::nmSparsity(const PruneSpec &spec) {
  return 1.0 - double(spec.n) / double(spec.m);
}

std::vector<float> sparsec::runtime::scores(const Param &w,
                                            const std::vector<float> *grad,
                                            Criterion criterion) {
  std::vector<float> s(w.values.size());
  for (int64_t i = 0; i < w.size(); ++i) {
    if (!w.kept(i)) {
      s[i] = -1.0f;
      continue;
    }
    float v = std::fabs(w.values[i]);
    if (criterion == Criterion::Taylor && grad && !grad->empty())
      v *= std::fabs((*grad)[i]);
    s[i] = v;
  }
  return s;
}

namespace {

/// Indices of `s` in ascending score order, ties by index.
std::vector<int64_t> ascending(const std::vector<float> &s) {
  std::vector<int64_t> order(s.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return s[a] < s[b]; });
  return order;
}

/// Masks element i of p; returns whether it was kept before.
bool drop(Param &p, int64_t i) {
  bool was = p.mask[i];
  p.mask[i] = 0;
  p.values[i] = 0.0f;
  return was;
}

int64_t pruneUnits(Param &p, const std::vector<float> &s,
                   const std::vector<std::vector<int64_t>> &units,
                   double sparsity) {
  // A unit's score is its elements' sum (a masked unit scores -1 and goes
  // first); prune whole units until `sparsity` of the elements are covered.
  std::vector<float> us(units.size());
  for (size_t u = 0; u < units.size(); ++u) {
    double sum = 0.0;
    bool anyKept = false;
    for (int64_t i : units[u]) {
      anyKept |= p.mask[i] != 0;
      sum += std::max(0.0f, s[i]);
    }
    us[u] = anyKept ? static_cast<float>(sum) : -1.0f;
  }
  int64_t target = static_cast<int64_t>(std::llround(sparsity * p.size()));
  int64_t covered = 0, newly = 0;
  for (int64_t u : ascending(us)) {
    int64_t size = static_cast<int64_t>(units[u].size());
    // Stop at the unit that would overshoot by more than half its size.
    if (covered + size - target > size / 2)
      break;
    for (int64_t i : units[u])
      newly += drop(p, i);
    covered += size;
  }
  return newly;
}

} // namespace

int64_t sparsec::runtime::pruneTo(Graph &g, const std::vector<int> &params,
                                  double sparsity, const PruneSpec &spec,
                                  const Gradients *taylor) {
  sparsity = std::clamp(sparsity, 0.0, 1.0);
  int64_t newly = 0;
  auto scoreOf = [&](int p) {
    const std::vector<float> *gr =
        taylor && p < static_cast<int>(taylor->size()) ? &(*taylor)[p]
                                                        : nullptr;
    return scores(g.params[p], gr, spec.criterion);
  };
  if (spec.granularity == Granularity::Unstructured && spec.global) {
    // One threshold over every layer: rank all elements together.
    std::vector<std::pair<int, int64_t>> where;
    std::vector<float> all;
    for (int p : params) {
      g.params[p].ensureMask();
      std::vector<float> s = scoreOf(p);
      for (int64_t i = 0; i < static_cast<int64_t>(s.size()); ++i) {
        where.push_back({p, i});
        all.push_back(s[i]);
      }
    }
    int64_t target = static_cast<int64_t>(std::llround(sparsity * all.size()));
    std::vector<int64_t> order = ascending(all);
    for (int64_t k = 0; k < target; ++k)
      newly += drop(g.params[where[order[k]].first], where[order[k]].second);
    return newly;
  }
  // The layer that computes the classes: its units are the outputs, never
  // pruned as whole channels (that would delete classes).
  int classifier = g.output;
  while (classifier > 0 && g.nodes[classifier].kind != OpKind::Dense &&
         g.nodes[classifier].kind != OpKind::Conv2D &&
         !g.nodes[classifier].inputs.empty())
    classifier = g.nodes[classifier].inputs[0];
  for (int p : params) {
    if (spec.granularity == Granularity::Channel && g.ownerOf(p) == classifier)
      continue;
    Param &w = g.params[p];
    w.ensureMask();
    std::vector<float> s = scoreOf(p);
    int64_t rows = w.rows(), rs = w.rowSize();
    switch (spec.granularity) {
    case Granularity::Unstructured: {
      int64_t target = static_cast<int64_t>(std::llround(sparsity * w.size()));
      std::vector<int64_t> order = ascending(s);
      for (int64_t k = 0; k < target; ++k)
        newly += drop(w, order[k]);
      break;
    }
    case Granularity::NM: {
      // Per group of M along a row, prune floor(sparsity * M) elements, at
      // most M - N; a shorter group at a row's end prunes in proportion.
      double cap = std::min(sparsity, nmSparsity(spec));
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c0 = 0; c0 < rs; c0 += spec.m) {
          int64_t len = std::min(spec.m, rs - c0);
          int64_t k = static_cast<int64_t>(std::floor(cap * len + 1e-9));
          std::vector<float> gs(s.begin() + r * rs + c0,
                                s.begin() + r * rs + c0 + len);
          std::vector<int64_t> order = ascending(gs);
          for (int64_t j = 0; j < k; ++j)
            newly += drop(w, r * rs + c0 + order[j]);
        }
      break;
    }
    case Granularity::Block: {
      std::vector<std::vector<int64_t>> units;
      for (int64_t r0 = 0; r0 < rows; r0 += spec.blockRows)
        for (int64_t c0 = 0; c0 < rs; c0 += spec.blockCols) {
          std::vector<int64_t> u;
          for (int64_t r = r0; r < std::min(rows, r0 + spec.blockRows); ++r)
            for (int64_t c = c0; c < std::min(rs, c0 + spec.blockCols); ++c)
              u.push_back(r * rs + c);
          units.push_back(std::move(u));
        }
      newly += pruneUnits(w, s, units, sparsity);
      break;
    }
    case Granularity::Channel: {
      std::vector<std::vector<int64_t>> units(rows);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < rs; ++c)
          units[r].push_back(r * rs + c);
      // Squared magnitudes: a filter's L2 norm ranks filters.
      if (spec.criterion == Criterion::Magnitude)
        for (float &v : s)
          if (v > 0.0f)
            v *= v;
      newly += pruneUnits(w, s, units, sparsity);
      break;
    }
    }
  }
  return newly;
}

bool sparsec::runtime::parsePruneSchedule(const std::string &s,
                                          PruneScheduleKind &out) {
  if (s == "none")
    out = PruneScheduleKind::None;
  else if (s == "oneshot" || s == "one-shot")
    out = PruneScheduleKind::OneShot;
  else if (s == "iterative")
    out = PruneScheduleKind::Iterative;
  else if (s == "gradual")
    out = PruneScheduleKind::Gradual;
  else
    return false;
  return true;
}

int64_t PruneSchedule::end() const {
  switch (kind) {
  case PruneScheduleKind::None:
    return -1;
  case PruneScheduleKind::OneShot:
    return begin;
  case PruneScheduleKind::Iterative:
    return begin + (count - 1) * frequency;
  case PruneScheduleKind::Gradual:
    return begin + count * frequency;
  }
  return -1;
}

bool PruneSchedule::prunesAt(int64_t step) const {
  if (kind == PruneScheduleKind::None || step < begin || step > end())
    return false;
  return kind == PruneScheduleKind::OneShot
             ? step == begin
             : (step - begin) % std::max<int64_t>(1, frequency) == 0;
}

double PruneSchedule::sparsityAt(int64_t step) const {
  if (kind == PruneScheduleKind::None || step < begin)
    return initial;
  if (step >= end())
    return final;
  int64_t f = std::max<int64_t>(1, frequency);
  int64_t i = (step - begin) / f;
  switch (kind) {
  case PruneScheduleKind::Iterative:
    return initial + (final - initial) * double(i + 1) / double(count);
  case PruneScheduleKind::Gradual: {
    double frac = 1.0 - double(i * f) / double(count * f);
    return final + (initial - final) * frac * frac * frac;
  }
  default:
    return final;
  }
}

int64_t sparsec::runtime::rigLUpdate(Graph &g, const std::vector<int> &params,
                                     const Gradients &grads, double fraction,
                                     Optimizer *optimizer) {
  int64_t moved = 0;
  for (int p : params) {
    Param &w = g.params[p];
    w.ensureMask();
    int64_t active = 0;
    for (uint8_t m : w.mask)
      active += m;
    int64_t k = static_cast<int64_t>(std::floor(fraction * double(active)));
    k = std::min(k, w.size() - active);
    if (k <= 0)
      continue;
    // Drop the k active weights of smallest magnitude.
    std::vector<float> mag(w.values.size());
    for (int64_t i = 0; i < w.size(); ++i)
      mag[i] = w.mask[i] ? std::fabs(w.values[i])
                         : std::numeric_limits<float>::infinity();
    std::vector<int64_t> order = ascending(mag);
    std::vector<uint8_t> dropped(w.values.size(), 0);
    for (int64_t j = 0; j < k; ++j) {
      drop(w, order[j]);
      dropped[order[j]] = 1;
    }
    // Grow the k inactive ones (not just dropped) with the largest |grad|.
    std::vector<float> neg(w.values.size());
    for (int64_t i = 0; i < w.size(); ++i)
      neg[i] = !w.mask[i] && !dropped[i]
                   ? -std::fabs(grads[p][i])
                   : std::numeric_limits<float>::infinity();
    std::vector<int64_t> grow = ascending(neg);
    for (int64_t j = 0; j < k; ++j) {
      int64_t i = grow[j];
      if (!std::isfinite(neg[i]))
        break;
      w.mask[i] = 1;
      w.values[i] = 0.0f;
      if (optimizer)
        optimizer->resetElement(p, i);
      ++moved;
    }
  }
  return moved;
}

Status sparsec::runtime::growUnits(
    Graph &g, int node, int64_t count, uint64_t seed,
    const std::vector<std::vector<std::vector<float>> *> &perParam) {
  if (node <= 0 || node >= static_cast<int>(g.nodes.size()) ||
      g.nodes[node].kind != OpKind::Dense)
    return Status::error("only dense layers can grow hidden units");
  if (node == g.output)
    return Status::error("dense '" + g.nodes[node].name +
                         "' is the network's output; its units are classes");
  // The values derived from this layer's output up to the dense layers that
  // read it: their shapes grow with it.
  std::vector<int> chain{node}, readers;
  for (size_t i = node + 1; i < g.nodes.size(); ++i) {
    const Node &n = g.nodes[i];
    for (int in : n.inputs) {
      if (std::find(chain.begin(), chain.end(), in) == chain.end())
        continue;
      if (n.kind == OpKind::Dense) {
        readers.push_back(static_cast<int>(i));
      } else if (n.kind == OpKind::Relu || n.kind == OpKind::Sigmoid ||
                 n.kind == OpKind::Tanh || n.kind == OpKind::Dropout) {
        chain.push_back(static_cast<int>(i));
      } else {
        return Status::error("dense '" + g.nodes[node].name + "' is read by " +
                             opName(n.kind) + " '" + n.name +
                             "'; only dense layers (through element-wise "
                             "ops) can take new units");
      }
    }
  }
  if (static_cast<int>(g.output) == chain.back() && readers.empty())
    return Status::error("dense '" + g.nodes[node].name +
                         "' feeds the output directly");
  Node &layer = g.nodes[node];
  int64_t oldM = layer.shape[0];
  int64_t k = g.nodes[layer.inputs[0]].size();
  Param &w = g.params[layer.weight];
  double density = w.hasMask() ? double(w.nonzeros()) / double(w.size()) : 1.0;
  Rng rng = streamRng(seed, Stream::Init, static_cast<uint64_t>(node) << 32 |
                                              static_cast<uint64_t>(oldM));
  float bound = 1.0f / std::sqrt(float(k));
  auto growRows = [&](std::vector<float> &v, int64_t rowSize) {
    if (!v.empty())
      v.resize(v.size() + count * rowSize, 0.0f);
  };
  for (int64_t r = 0; r < count; ++r)
    for (int64_t c = 0; c < k; ++c) {
      bool keep = !w.hasMask() || rng.uniform() < density;
      w.values.push_back(keep ? rng.uniform(-bound, bound) : 0.0f);
      if (w.hasMask())
        w.mask.push_back(keep);
    }
  w.shape[0] += count;
  for (auto *arrays : perParam)
    growRows((*arrays)[layer.weight], k);
  if (layer.bias >= 0) {
    Param &b = g.params[layer.bias];
    b.values.resize(b.values.size() + count, 0.0f);
    b.shape[0] += count;
    for (auto *arrays : perParam)
      growRows((*arrays)[layer.bias], 1);
  }
  for (int i : chain)
    g.nodes[i].shape[0] += count;
  // Readers get zero columns at the end of every row.
  auto widen = [&](std::vector<float> &v, int64_t rows) {
    if (v.empty())
      return;
    std::vector<float> out;
    out.reserve(rows * (oldM + count));
    for (int64_t r = 0; r < rows; ++r) {
      out.insert(out.end(), v.begin() + r * oldM, v.begin() + (r + 1) * oldM);
      out.insert(out.end(), count, 0.0f);
    }
    v = std::move(out);
  };
  for (int rd : readers) {
    Param &rw = g.params[g.nodes[rd].weight];
    int64_t rows = rw.rows();
    widen(rw.values, rows);
    if (rw.hasMask()) {
      std::vector<uint8_t> out;
      for (int64_t r = 0; r < rows; ++r) {
        out.insert(out.end(), rw.mask.begin() + r * oldM,
                   rw.mask.begin() + (r + 1) * oldM);
        // New connections are live (at zero) so that they can learn.
        out.insert(out.end(), count, 1);
      }
      rw.mask = std::move(out);
    }
    rw.shape[1] += count;
    for (auto *arrays : perParam)
      widen((*arrays)[g.nodes[rd].weight], rows);
  }
  return g.verify();
}
