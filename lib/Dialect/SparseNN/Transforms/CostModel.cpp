//===- CostModel.cpp - Which kernel format is fastest for a layer -*- C++ -*-===//
//
// Part of sparsec. See CostModel.h for where the constants come from.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Dialect/SparseNN/Transforms/CostModel.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace sparsec::snn;

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Bits of the position of one kept weight inside its group of M.
static int64_t nmIndexBits(int64_t m) {
  int64_t bits = 0;
  while ((int64_t(1) << bits) < m)
    ++bits;
  return bits;
}

double CostModel::blockSpeedup(const LayerProfile &p, int64_t r, int64_t c,
                               int64_t stored) const {
  if (p.size() == 0)
    return 0.0;
  // Never divide by zero: a layer with no nonzero is modelled as holding one.
  double storedFraction =
      double(std::max<int64_t>(stored, 1)) / double(p.size());
  if (p.columns < memoryBoundBelow) {
    // Values plus one index per block plus a pointer per block row.
    double bytes = double(stored) * 4.0 +
                   double(stored) / double(r * c) * indexBytes(p.rowLength) +
                   double(ceilDiv(p.rows, r)) * 4.0;
    return structuredEfficiency * 4.0 * double(p.size()) /
           std::max(bytes, 1.0);
  }
  double tile = p.columns >= wideTile ? 1.0 : narrowTileFactor;
  double efficiency = csrEfficiency + (structuredEfficiency - csrEfficiency) *
                                          (1.0 - 1.0 / double(r * c));
  return efficiency * tile / storedFraction;
}

FormatEstimates CostModel::estimate(const LayerProfile &p) const {
  FormatEstimates e;
  if (p.size() == 0)
    return e;
  double density =
      double(std::max<int64_t>(p.nonzeros, 1)) / double(p.size());
  int64_t idx = indexBytes(p.rowLength);
  if (p.columns < memoryBoundBelow) {
    // Memory-bound: the dense kernel streams 4 bytes per weight.
    double denseBytes = 4.0 * double(p.size());
    double csrBytes = double(std::max<int64_t>(p.nonzeros, 1)) * (4 + idx) +
                      4.0 * double(p.rows + 1);
    e.csr = spmvEfficiency * denseBytes / csrBytes;
    if (p.nmM) {
      double kept = double(p.size()) * double(p.nmN) / double(p.nmM);
      double nmBytes = kept * (4.0 + double(nmIndexBits(p.nmM)) / 8.0);
      e.nm = structuredEfficiency * denseBytes / nmBytes;
    }
  } else {
    double tile = p.columns >= wideTile ? 1.0 : narrowTileFactor;
    e.csr = csrEfficiency * tile / density;
    if (p.nmM)
      e.nm = structuredEfficiency * tile * double(p.nmM) / double(p.nmN);
  }
  if (p.blockRows)
    e.block = blockSpeedup(p, p.blockRows, p.blockCols, p.blockStored);
  return e;
}

FormatAttr CostModel::choose(MLIRContext *ctx, const LayerProfile &p,
                             const FormatEstimates &e) const {
  // Ties go to the earlier, simpler candidate.
  FormatKind kind = FormatKind::Dense;
  double best = e.dense;
  auto consider = [&](FormatKind k, double speedup) {
    if (speedup > minSpeedup && speedup > best) {
      kind = k;
      best = speedup;
    }
  };
  consider(FormatKind::CSR, e.csr);
  consider(FormatKind::NM, e.nm);
  consider(FormatKind::Block, e.block);
  switch (kind) {
  case FormatKind::NM:
    return FormatAttr::get(ctx, kind, {p.nmN, p.nmM});
  case FormatKind::Block:
    return FormatAttr::get(ctx, kind, {p.blockRows, p.blockCols});
  default:
    return FormatAttr::get(ctx, kind, {});
  }
}

LayerProfile sparsec::snn::profileWeight(ArrayRef<float> w, int64_t rows,
                                         int64_t rowLength, int64_t columns,
                                         const CostModel &model) {
  LayerProfile p;
  p.rows = rows;
  p.rowLength = rowLength;
  p.columns = columns;
  p.nonzeros = llvm::count_if(w, [](float f) { return f != 0.0f; });

  // The tightest N:M: the smallest N/M among the candidates (ties: smaller M).
  for (int64_t m : CostModel::nmCandidates) {
    if (m > rowLength)
      continue;
    int64_t n = 0;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t g = 0; g < rowLength; g += m) {
        int64_t count = 0;
        for (int64_t c = g; c < std::min(g + m, rowLength); ++c)
          count += w[r * rowLength + c] != 0.0f;
        n = std::max(n, count);
      }
    n = std::max<int64_t>(n, 1);
    if (n >= m)
      continue;
    if (!p.nmM || n * p.nmM < p.nmN * m) {
      p.nmN = n;
      p.nmM = m;
    }
  }

  // The block shape with the best estimate; partial blocks at the edges store
  // only the elements they cover.
  double best = 0.0;
  for (auto [r, c] : CostModel::blockCandidates) {
    if (r > rows || c > rowLength || r * c == 1)
      continue;
    int64_t stored = 0;
    for (int64_t r0 = 0; r0 < rows; r0 += r)
      for (int64_t c0 = 0; c0 < rowLength; c0 += c) {
        int64_t r1 = std::min(r0 + r, rows), c1 = std::min(c0 + c, rowLength);
        bool any = false;
        for (int64_t i = r0; i < r1 && !any; ++i)
          for (int64_t j = c0; j < c1 && !any; ++j)
            any = w[i * rowLength + j] != 0.0f;
        if (any)
          stored += (r1 - r0) * (c1 - c0);
      }
    double speedup = model.blockSpeedup(p, r, c, stored);
    if (speedup > best) {
      best = speedup;
      p.blockRows = r;
      p.blockCols = c;
      p.blockStored = stored;
    }
  }
  return p;
}
