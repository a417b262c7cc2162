//===- Stats.cpp - Per-layer size and cost of a network ---------*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Network/Stats.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"

#include <fmt/format.h>

#include <tuple>

using namespace mlir;
using namespace sparsec;

/// Weight and bias counts of a layer. Every weight element is used once per
/// output position (batch x spatial), which gives the MACs.
static LogicalResult addWeights(LayerStats &row, Value weight, Value bias,
                                int64_t positions) {
  FailureOr<Weight> w = readWeight(weight);
  if (failed(w))
    return failure();
  row.hasWeights = true;
  row.params = w->size();
  row.nonzeros = w->nonzeros();
  row.denseMacs = positions * w->size();
  row.macs = positions * w->nonzeros();
  if (bias) {
    FailureOr<Weight> b = readWeight(bias);
    if (failed(b))
      return failure();
    row.params += b->size();
    row.nonzeros += b->nonzeros();
  }
  return success();
}

SmallVector<Operation *> sparsec::statsLayers(func::FuncOp fn) {
  SmallVector<Operation *> layers;
  for (Operation &op : fn.getBody().front())
    if (isa<snn::SparseNNDialect>(op.getDialect()) && !isa<snn::MaskOp>(op))
      layers.push_back(&op);
  return layers;
}

FailureOr<NetworkStats> sparsec::collectStats(func::FuncOp fn) {
  NetworkStats stats;
  stats.name = fn.getSymName().str();
  stats.total.op = "total";
  for (Operation *layer : statsLayers(fn)) {
    Operation &op = *layer;
    LayerStats row;
    row.op = op.getName().stripDialect().str();
    row.input = snn::formatShape(
        cast<ShapedType>(op.getOperand(0).getType()).getShape());
    ArrayRef<int64_t> out = cast<ShapedType>(op.getResult(0).getType()).getShape();
    row.output = snn::formatShape(out);
    LogicalResult ok = success();
    if (auto dense = dyn_cast<snn::DenseOp>(op)) {
      ok = addWeights(row, dense.getWeight(), dense.getBias(), out[0]);
    } else if (auto conv = dyn_cast<snn::Conv2DOp>(op)) {
      ok = addWeights(row, conv.getWeight(), conv.getBias(),
                      out[0] * out[2] * out[3]);
    } else if (auto bn = dyn_cast<snn::BatchNormOp>(op)) {
      // Inference batchnorm is one multiply-add per element.
      row.hasWeights = true;
      int64_t c = cast<ShapedType>(bn.getScale().getType()).getNumElements();
      row.params = row.nonzeros = 4 * c;
      row.denseMacs = row.macs = numElements(out);
    }
    if (failed(ok))
      return failure();
    stats.total.params += row.params;
    stats.total.nonzeros += row.nonzeros;
    stats.total.denseMacs += row.denseMacs;
    stats.total.macs += row.macs;
    stats.layers.push_back(std::move(row));
  }
  stats.total.hasWeights = true;
  if (!stats.layers.empty()) {
    stats.total.input = stats.layers.front().input;
    stats.total.output = stats.layers.back().output;
  }
  return stats;
}

static std::string sparsity(const LayerStats &row) {
  if (!row.hasWeights || row.params == 0)
    return "-";
  return fmt::format("{:.1f}%", 100.0 * double(row.params - row.nonzeros) /
                                    double(row.params));
}

static std::string count(const LayerStats &row, int64_t v) {
  return row.hasWeights ? std::to_string(v) : "-";
}

void sparsec::printStatsTable(const NetworkStats &stats, raw_ostream &os) {
  std::vector<std::array<std::string, 9>> rows;
  rows.push_back({"#", "layer", "input", "output", "params", "nonzeros",
                  "sparsity", "dense MACs", "MACs"});
  for (auto [i, l] : llvm::enumerate(stats.layers))
    rows.push_back({std::to_string(i), l.op, l.input, l.output,
                    count(l, l.params), count(l, l.nonzeros), sparsity(l),
                    count(l, l.denseMacs), count(l, l.macs)});
  const LayerStats &t = stats.total;
  rows.push_back({"", "total", t.input, t.output, std::to_string(t.params),
                  std::to_string(t.nonzeros), sparsity(t),
                  std::to_string(t.denseMacs), std::to_string(t.macs)});

  std::array<size_t, 9> width{};
  for (const auto &r : rows)
    for (size_t c = 0; c < r.size(); ++c)
      width[c] = std::max(width[c], r[c].size());
  os << "network @" << stats.name << "\n";
  for (auto [i, r] : llvm::enumerate(rows)) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      // Names left-aligned, numbers right-aligned.
      bool left = c == 1 || c == 2 || c == 3;
      line += c ? "  " : "";
      line += left ? fmt::format("{:<{}}", r[c], width[c])
                   : fmt::format("{:>{}}", r[c], width[c]);
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    os << line << "\n";
  }
  if (t.macs > 0)
    os << fmt::format("MACs after pruning: {:.2f}x fewer than dense\n",
                      double(t.denseMacs) / double(t.macs));
}

void sparsec::printStatsComparison(const NetworkStats &before,
                                   const NetworkStats &after, raw_ostream &os) {
  os << "before: ";
  printStatsTable(before, os);
  os << "\nafter: ";
  printStatsTable(after, os);
  const LayerStats &a = before.total, &b = after.total;
  auto ratio = [](int64_t x, int64_t y) {
    return x ? fmt::format("{:.3f}x", double(y) / double(x)) : std::string("-");
  };
  os << "\n" << fmt::format("{:<11}{:>12}{:>12}{:>9}\n", "", "before", "after",
                           "ratio");
  for (auto [name, x, y] :
       {std::tuple{"layers", int64_t(before.layers.size()),
                   int64_t(after.layers.size())},
        {"params", a.params, b.params},
        {"nonzeros", a.nonzeros, b.nonzeros},
        {"dense MACs", a.denseMacs, b.denseMacs},
        {"MACs", a.macs, b.macs}})
    os << fmt::format("{:<11}{:>12}{:>12}{:>9}\n", name, x, y, ratio(x, y));
}

llvm::json::Value sparsec::statsToJson(const NetworkStats &stats) {
  auto layer = [](const LayerStats &l) {
    llvm::json::Object o{{"op", l.op},
                         {"input", l.input},
                         {"output", l.output}};
    if (l.hasWeights) {
      o["params"] = l.params;
      o["nonzeros"] = l.nonzeros;
      o["dense_macs"] = l.denseMacs;
      o["macs"] = l.macs;
    }
    return o;
  };
  llvm::json::Array layers;
  for (const LayerStats &l : stats.layers)
    layers.push_back(layer(l));
  return llvm::json::Object{{"network", stats.name},
                            {"layers", std::move(layers)},
                            {"total", layer(stats.total)}};
}
