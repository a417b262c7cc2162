//===- CostModel.cpp - Which kernel format is fastest for a layer -*- C++ -*-===//
//
// Part of sparsec. See CostModel.h for where the constants come from.
//
// Measurements behind the constants (sparsec compile --target=x86-64-avx2,
// one thread, best of 5 x 200 calls through test/Utils/harness.c; FC 1024 x
// 1024 at batch 64, weights from netgen; the machine was shared, so only
// ratios within one run count):
//
//   run 1 (idle): dense 1706 us; 90 % unstructured as csr 475 us (3.6x);
//   90 % block-pruned as csr / as blocks: 4x1 415 / 374, 2x1 427 / 380,
//   1x8 494 / 440, 1x4 499 / 451, 4x4 434 / 419 us (blocks ~1.1x csr).
//   run 2 (loaded, with the interleaved kernels of main 7751afc): dense
//   2585 us; 2:4 as nm 2755 us (0.93x) and as dense 2562 us; 4:8 as nm
//   2768 us (0.92x); 1:4 as nm 1433 us (1.8x), as csr 1439 us; 90 %
//   unstructured as csr 686 us (3.7x); 4x1 blocks 627 us (4.1x), as csr
//   676 us.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Dialect/SparseNN/Transforms/CostModel.h"

#include "Utils.h"

#include "mlir/IR/Builders.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace sparsec::snn;

double CostModel::blockSpeedup(const LayerProfile &p, int64_t r, int64_t c,
                               int64_t stored) const {
  if (p.size() == 0 || p.narrow)
    return 0.0;
  double storedFraction =
      double(std::max<int64_t>(stored, 1)) / double(p.size());
  return blockEfficiency / storedFraction;
}

FormatEstimates CostModel::estimate(const LayerProfile &p) const {
  FormatEstimates e;
  if (p.size() == 0)
    return e;
  // A layer with no nonzero is modelled as holding one.
  double density = double(std::max<int64_t>(p.nonzeros, 1)) / double(p.size());
  if (p.narrow) {
    e.csr = spmvEfficiency * 4.0 / (density * 8.0);
    return e;
  }
  e.csr = csrEfficiency / density;
  if (p.nmM)
    e.nm = nmEfficiency * double(p.nmM) / double(p.nmN);
  if (p.blockRows)
    e.block = blockSpeedup(p, p.blockRows, p.blockCols, p.blockStored);
  return e;
}

FormatAttr CostModel::choose(MLIRContext *ctx, const LayerProfile &p,
                             const FormatEstimates &e) const {
  FormatKind kind = FormatKind::Dense;
  double best = 0.0;
  auto consider = [&](FormatKind k, double speedup) {
    if (speedup > best) {
      kind = k;
      best = speedup;
    }
  };
  consider(FormatKind::CSR, e.csr);
  consider(FormatKind::NM, e.nm);
  consider(FormatKind::Block, e.block);
  if (kind == FormatKind::Dense || best < minSpeedup || best < e.dense)
    return FormatAttr::get(ctx, FormatKind::Dense, {});
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
                                         int64_t rowsPerGroup, bool narrow,
                                         const CostModel &model) {
  LayerProfile p;
  p.rows = rows;
  p.rowLength = rowLength;
  p.columns = columns;
  p.rowsPerGroup = rowsPerGroup;
  p.narrow = narrow;
  p.nonzeros = llvm::count_if(w, [](float f) { return f != 0.0f; });
  if (narrow)
    return p;

  // The tightest N:M: the smallest N/M among the candidates (ties: smaller
  // M). A short last run of a row counts like a full one.
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
    if (2 * n > m)
      continue;
    if (!p.nmM || n * p.nmM < p.nmN * m) {
      p.nmN = n;
      p.nmM = m;
    }
  }

  // The block shape with the best estimate; partial blocks at the edges
  // store only the elements they cover. Block rows must not straddle groups.
  double best = 0.0;
  for (auto [r, c] : CostModel::blockCandidates) {
    if (r > rows || c > rowLength || rowsPerGroup % r != 0)
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

FailureOr<FormatChoice> sparsec::snn::chooseFormat(Operation *layer,
                                                   const CostModel &model) {
  FailureOr<RawWeight> w = readRawWeight(layerWeight(layer));
  if (failed(w))
    return failure();
  ArrayRef<int64_t> out =
      cast<ShapedType>(layer->getResult(0).getType()).getShape();
  int64_t columns = out[0];
  for (int64_t d : out.drop_front(2))
    columns *= d;
  int64_t rowsPerGroup = w->rows();
  if (auto conv = dyn_cast<Conv2DOp>(layer))
    rowsPerGroup /= conv.getGroupCount();
  bool narrow = isa<DenseOp>(layer) && out[0] < model.vectorWidth;
  FormatChoice c;
  c.profile = profileWeight(w->effectiveValues(), w->rows(), w->rowLength(),
                            columns, rowsPerGroup, narrow, model);
  c.estimates = model.estimate(c.profile);
  c.format = model.choose(layer->getContext(), c.profile, c.estimates);
  return c;
}

/// Rounds an estimate to three decimals so that the attribute reads well.
static double rounded(double v) { return std::round(v * 1000.0) / 1000.0; }

DictionaryAttr sparsec::snn::costAttr(MLIRContext *ctx, const FormatChoice &c) {
  Builder b(ctx);
  const LayerProfile &p = c.profile;
  const FormatEstimates &e = c.estimates;
  SmallVector<NamedAttribute> speed = {
      b.getNamedAttr("dense", b.getF64FloatAttr(rounded(e.dense))),
      b.getNamedAttr("csr", b.getF64FloatAttr(rounded(e.csr)))};
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("rows", b.getI64IntegerAttr(p.rows)),
      b.getNamedAttr("row_length", b.getI64IntegerAttr(p.rowLength)),
      b.getNamedAttr("columns", b.getI64IntegerAttr(p.columns)),
      b.getNamedAttr("nonzeros", b.getI64IntegerAttr(p.nonzeros)),
      b.getNamedAttr("sparsity", b.getF64FloatAttr(rounded(1.0 - p.density()))),
      b.getNamedAttr("narrow", b.getBoolAttr(p.narrow))};
  if (p.nmM) {
    fields.push_back(
        b.getNamedAttr("nm", b.getDenseI64ArrayAttr({p.nmN, p.nmM})));
    speed.push_back(b.getNamedAttr("nm", b.getF64FloatAttr(rounded(e.nm))));
  }
  if (p.blockRows) {
    fields.push_back(b.getNamedAttr(
        "block", b.getDenseI64ArrayAttr({p.blockRows, p.blockCols})));
    fields.push_back(
        b.getNamedAttr("block_stored", b.getI64IntegerAttr(p.blockStored)));
    speed.push_back(
        b.getNamedAttr("block", b.getF64FloatAttr(rounded(e.block))));
  }
  fields.push_back(b.getNamedAttr("speedup", b.getDictionaryAttr(speed)));
  fields.push_back(b.getNamedAttr("choice", c.format));
  return b.getDictionaryAttr(fields);
}
