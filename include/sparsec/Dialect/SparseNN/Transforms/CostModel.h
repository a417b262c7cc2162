//===- CostModel.h - Which kernel format is fastest for a layer -*- C++ -*-===//
//
// Part of sparsec. The one rule that gives a dense or conv2d layer its
// `#snn.format`: `snn-select-format` applies it and prints its inputs, and the
// code generator (SNNToHalide's planner) applies the same rule to layers that
// have no format. Its constants come from measurements (see each comment and
// ../shared/design/kernels.md); change them here, or per run with the
// `snn-select-format` options of the same names.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_TRANSFORMS_COSTMODEL_H
#define SPARSEC_DIALECT_SPARSENN_TRANSFORMS_COSTMODEL_H

#include "sparsec/Dialect/SparseNN/IR/SparseNNAttrs.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace sparsec::snn {

/// Everything the model looks at in one dense or conv2d layer. The weight is
/// seen as `rows` output units by `rowLength` elements (dense: K; conv2d:
/// C/groups x KH x KW, row-major), multiplied with a dense operand of
/// `columns` columns (batch x output positions).
struct LayerProfile {
  int64_t rows = 0;
  int64_t rowLength = 0;
  int64_t columns = 0;
  int64_t nonzeros = 0;
  /// Output units per group (all of them unless a grouped conv2d): a block's
  /// rows must divide it.
  int64_t rowsPerGroup = 0;
  /// A dense layer whose batch is shorter than a vector: the code generator
  /// vectorises it along its outputs (gemv) and runs every sparse format as
  /// compressed rows (spmv), so the layer is bound by the weight bytes.
  bool narrow = false;
  /// The tightest N:M pattern (N <= M/2) the weight satisfies, 0:0 if none.
  int64_t nmN = 0, nmM = 0;
  /// The R x C block shape with the best estimate, 0x0 if none fits, and the
  /// elements stored by the blocks holding a nonzero.
  int64_t blockRows = 0, blockCols = 0;
  int64_t blockStored = 0;

  int64_t size() const { return rows * rowLength; }
  double density() const {
    return size() ? double(nonzeros) / double(size()) : 1.0;
  }
};

/// Estimated speed of each candidate format as a speedup over the dense
/// kernel for the same layer (dense is 1; 0 means not a candidate).
struct FormatEstimates {
  double dense = 1.0, csr = 0.0, nm = 0.0, block = 0.0;
};

struct CostModel {
  /// Compressed rows run at csrEfficiency / density of the dense kernel:
  /// kernels.md measured 3.9-5.6x at 90 % and a break-even of 60-65 %;
  /// sparsec's own csr kernel 3.3-5.6x at 90 % (README). 0.4 puts the
  /// break-even at 60 %.
  double csrEfficiency = 0.4;
  /// N:M runs at nmEfficiency x M / N (it stores N of every M weights):
  /// measured (CostModel.cpp) 0.93x dense for 2:4, 0.92x for 4:8, 1.8x for
  /// 1:4, so a 2:4 weight runs fastest as dense. Only patterns with
  /// N <= M / 2 are candidates.
  double nmEfficiency = 0.45;
  /// R x C blocks run at blockEfficiency / (stored fraction): measured
  /// (CostModel.cpp) about 1.1x csr's rate on the same nonzeros.
  double blockEfficiency = 0.44;
  /// Narrow dense layers: compressed rows move 8 bytes (value and 32-bit
  /// index) per nonzero against 4 per dense weight, at spmvEfficiency of
  /// that ratio. Measured on FC 4096 x 4096, batch 1, AVX2: 0.9x at 70 %,
  /// 3.3x at 90 %; 0.5 puts the break-even at 75 %.
  double spmvEfficiency = 0.5;
  /// A sparse format is chosen when its estimate reaches this speedup.
  double minSpeedup = 1.0;
  /// f32 lanes of the target's vectors (AVX2: 8); decides `narrow`.
  int64_t vectorWidth = 8;

  static constexpr int64_t nmCandidates[] = {4, 8};
  static constexpr int64_t blockCandidates[][2] = {
      {4, 1}, {2, 1}, {8, 1}, {4, 4}, {2, 2}, {1, 4}, {1, 8}};

  FormatEstimates estimate(const LayerProfile &p) const;
  /// Estimated speedup of `R x C` blocks storing `stored` elements.
  double blockSpeedup(const LayerProfile &p, int64_t r, int64_t c,
                      int64_t stored) const;
  /// The fastest format: the best sparse candidate if it reaches
  /// minSpeedup and beats dense (ties go to the simpler format: csr, nm,
  /// block), else dense.
  FormatAttr choose(mlir::MLIRContext *ctx, const LayerProfile &p,
                    const FormatEstimates &e) const;
};

/// Measures a weight for the model. `effective` is the weight with its mask
/// applied, `rows` x `rowLength`.
LayerProfile profileWeight(llvm::ArrayRef<float> effective, int64_t rows,
                           int64_t rowLength, int64_t columns,
                           int64_t rowsPerGroup, bool narrow,
                           const CostModel &model);

/// What the model decided for one layer, and why.
struct FormatChoice {
  LayerProfile profile;
  FormatEstimates estimates;
  FormatAttr format;
};

/// Profiles a dense or conv2d layer (its weight must be a constant, possibly
/// masked) and chooses its format. Fails with a diagnostic otherwise.
mlir::FailureOr<FormatChoice> chooseFormat(mlir::Operation *layer,
                                           const CostModel &model);

/// The model's inputs and estimates as the `snn.cost` dictionary.
mlir::DictionaryAttr costAttr(mlir::MLIRContext *ctx, const FormatChoice &c);

} // namespace sparsec::snn

#endif // SPARSEC_DIALECT_SPARSENN_TRANSFORMS_COSTMODEL_H
