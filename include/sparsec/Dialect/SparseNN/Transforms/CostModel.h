//===- CostModel.h - Which kernel format is fastest for a layer -*- C++ -*-===//
//
// Part of sparsec. The model `snn-select-format` uses to pick a layer's
// `#snn.format`. Its constants come from ../shared/design/kernels.md (sparse
// kernels measured on this machine against OpenBLAS sgemm) and are meant to
// be recalibrated from measurements of sparsec's own kernels: change the
// defaults below, or override them per run with the pass options of the same
// names.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_TRANSFORMS_COSTMODEL_H
#define SPARSEC_DIALECT_SPARSENN_TRANSFORMS_COSTMODEL_H

#include "sparsec/Dialect/SparseNN/IR/SparseNNAttrs.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace sparsec::snn {

/// Everything the model looks at in one dense or conv2d layer. The weight is
/// seen as `rows` output units by `rowLength` elements (dense: K; conv2d:
/// C/groups x KH x KW, row-major), multiplied with a dense operand of
/// `columns` columns (batch x output positions), along which kernels
/// vectorise.
struct LayerProfile {
  int64_t rows = 0;
  int64_t rowLength = 0;
  int64_t columns = 0;
  int64_t nonzeros = 0;
  /// The tightest N:M pattern the weight satisfies, 0:0 if none.
  int64_t nmN = 0, nmM = 0;
  /// The R x C block shape the model likes best, 0x0 if none is worth
  /// considering, and the elements stored by the blocks holding a nonzero.
  int64_t blockRows = 0, blockCols = 0;
  int64_t blockStored = 0;

  int64_t size() const { return rows * rowLength; }
  double density() const {
    return size() ? double(nonzeros) / double(size()) : 1.0;
  }
};

/// Estimated speed of each candidate format, as a speedup over the dense
/// kernel for the same layer (dense is 1; 0 means not applicable).
struct FormatEstimates {
  double dense = 1.0, csr = 0.0, nm = 0.0, block = 0.0;
};

/// The model. Every constant is a default taken from kernels.md; the comment
/// says which measurement it stands for.
struct CostModel {
  /// CSR by output row with a wide (>= wideTile) dense dimension runs at
  /// csrEfficiency / (1 - s) of dense: measured 3.9-5.6x at 90%, 1.8-2.8x at
  /// 80%, 7-11x at 95%, break-even near 60-65%; 0.4 fits all four.
  double csrEfficiency = 0.4;
  /// N:M and block patterns amortise index loads and keep all accumulator
  /// chains busy, so they are modelled at the ceiling kernels.md derives,
  /// 0.75 / (1 - s) (1 + 2/u loads per FMA, two load and two FMA ports). A
  /// R x C block interpolates between CSR (1x1) and this ceiling by the share
  /// of index loads it saves, 1 - 1/(R*C). Not yet measured.
  double structuredEfficiency = 0.75;
  /// Dense dimensions narrower than wideTile use a narrower tile with fewer
  /// accumulators: the 32-wide tile measured 3.1-4.4x against 3.9-5.6x.
  int64_t wideTile = 64;
  double narrowTileFactor = 0.8;
  /// Dense dimensions below this (batch-1 fully connected layers) make the
  /// layer memory-bound: speed is bytes of dense weights / bytes of sparse
  /// weights and indices, times an efficiency.
  int64_t memoryBoundBelow = 8;
  /// Scalar CSR SpMV measured 2.0x at 90% on FC 4096^2 against a 5x bound
  /// (32-bit indices).
  double spmvEfficiency = 0.4;
  /// A sparse format is chosen only if its estimate exceeds this speedup.
  double minSpeedup = 1.0;

  /// The M values tried for N:M, and the block shapes tried.
  static constexpr int64_t nmCandidates[] = {4, 8, 16};
  static constexpr int64_t blockCandidates[][2] = {
      {1, 4}, {1, 8}, {2, 2}, {4, 1}, {8, 1}, {2, 4}, {4, 2}, {4, 4}};

  /// Bytes of one column index: 16-bit when the row is short enough.
  static int64_t indexBytes(int64_t rowLength) {
    return rowLength <= 65536 ? 2 : 4;
  }

  FormatEstimates estimate(const LayerProfile &p) const;
  /// Estimated speedup of `R x C` blocks storing `stored` elements.
  double blockSpeedup(const LayerProfile &p, int64_t r, int64_t c,
                      int64_t stored) const;
  /// The fastest format: dense unless a sparse one beats minSpeedup.
  FormatAttr choose(mlir::MLIRContext *ctx, const LayerProfile &p,
                    const FormatEstimates &e) const;
};

/// Measures a layer's weight for the model: counts, the tightest N:M
/// pattern, and the block shape with the best estimate under `model`.
/// `effective` is the weight with its mask applied, `rows` x `rowLength`.
LayerProfile profileWeight(llvm::ArrayRef<float> effective, int64_t rows,
                           int64_t rowLength, int64_t columns,
                           const CostModel &model);

} // namespace sparsec::snn

#endif // SPARSEC_DIALECT_SPARSENN_TRANSFORMS_COSTMODEL_H
