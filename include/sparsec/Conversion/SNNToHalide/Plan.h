//===- Plan.h - Per-layer kernel format and schedule ------------*- C++ -*-===//
//
// Part of sparsec. Before lowering, every dense and conv2d layer gets a kernel
// format (`format = #snn.format<...>`, kept if the user or snn-select-format
// set one) and a schedule (`snn.schedule = {...}`), both as attributes so that
// `sparsec compile --emit=mlir` shows what will be generated. The lowering
// reads the schedule back from the attribute, so a hand-edited schedule is
// honoured.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_CONVERSION_SNNTOHALIDE_PLAN_H
#define SPARSEC_CONVERSION_SNNTOHALIDE_PLAN_H

#include "sparsec/Conversion/SNNToHalide/TargetSpec.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <tuple>

namespace sparsec::halide {

/// How a dense or conv2d layer is computed.
enum class KernelKind {
  /// Output rows (neurons / output channels) in register blocks of `rows`,
  /// vectorised along the dense dimension (batch for dense layers, flattened
  /// spatial positions for convolutions), with `tile` lanes of accumulators
  /// per row. Dense weights stream every column; sparse formats visit only
  /// the stored blocks.
  Rows,
  /// Dense layer whose batch is shorter than a vector: vectorised along the
  /// outputs, streaming the weight once for all batch rows.
  Gemv,
  /// Sparse dense layer whose batch is shorter than a vector: compressed
  /// rows, one dot product per output and batch row.
  Spmv,
  /// Depthwise convolution (one input channel per output channel) in the
  /// dense format: a direct stencil over the unpadded input, vectorised along
  /// output columns in tiles of `tile` lanes, zero padding handled by
  /// partitioned loops instead of a padded copy. Its output is stored flat
  /// (channel, row, column), so that a following unpadded 1x1 convolution
  /// reads it in place.
  Depthwise,
};

/// The attribute name of the schedule dictionary.
inline constexpr llvm::StringLiteral kScheduleAttr = "snn.schedule";

struct LayerPlan {
  KernelKind kernel = KernelKind::Rows;
  snn::FormatKind format = snn::FormatKind::Dense;
  /// For nm: N and M; for block: R and C; otherwise 1 and 1.
  int64_t formatA = 1, formatB = 1;
  /// Output rows computed together (register blocking).
  int64_t rows = 1;
  /// Accumulator lanes per row along the vectorised dimension.
  int64_t tile = 8;
  /// Vector width in lanes (0: the vectorised dimension is too short).
  int64_t vector = 8;
  /// Parallel loop over row blocks.
  bool parallel = false;
  /// Independent accumulator sets per row for sparse formats: consecutive
  /// stored blocks of a row go to them in turn, so that short tiles still
  /// keep enough fused multiply-adds in flight. 1 for dense rows.
  int64_t interleave = 1;
  /// Loop order of a `Rows` kernel: false sweeps every lane tile of one row
  /// block before the next block ("rows"); true runs every row block over
  /// one lane tile before the next tile ("tiles"), so that the tile's slice
  /// of the input stays in the L1 cache while all rows read it.
  bool tilesOuter = false;
  /// Column segments of a sparse `Rows` kernel (1: none). With S > 1 each
  /// lane tile runs segment by segment over all row blocks, adding every
  /// block's partial sums to the tile's sums in memory, so that only the
  /// input slice of one segment (1/S of the columns) has to stay in the L1
  /// cache while all rows read it.
  int64_t kblocks = 1;
  /// Weight streams of a `Gemv` kernel (1 for every other kernel): the
  /// tile's outputs are `streams` groups of tile / streams lanes, each
  /// group's weights stored as one contiguous block, so that a tile reads
  /// that many sequential streams from memory at once.
  int64_t streams = 1;
  /// Column segments of a sparse `Rows` kernel (csr or block format, kblocks
  /// > 1) visit, within each segment, the block rows in order of their
  /// stored blocks in that segment, longest first: consecutive rows then
  /// share the trip count of their inner loop, whose exit the branch
  /// predictor otherwise misses for most rows. Costs a row table lookup per
  /// row and segment, and the tile's sums are visited out of order.
  bool sorted = false;
  /// A stride-1 convolution's `Rows` kernel runs its lanes along each output
  /// row, the rows an outer loop (as strided convolutions always do),
  /// instead of over the zero-padded image flattened on its padded row pitch
  /// (`flat = false` in the schedule). The flat lanes make every tap a
  /// constant offset and tiles as wide as the registers allow, but compute
  /// the pitch's padding columns and store the output on the padded pitch,
  /// to be copied out; row lanes compute only the output and store it in
  /// place, in tiles of at most one row. 3x3 64 -> 64 at 56x56, 90 %, AVX2
  /// on EPYC Zen 2: 588 us flat (tile 88), 564 us in row tiles of 56.
  bool rowLanes = false;

  bool operator==(const LayerPlan &o) const {
    return std::tie(kernel, format, formatA, formatB, rows, tile, vector,
                    parallel, interleave, tilesOuter, kblocks, streams, sorted,
                    rowLanes) ==
           std::tie(o.kernel, o.format, o.formatA, o.formatB, o.rows, o.tile,
                    o.vector, o.parallel, o.interleave, o.tilesOuter,
                    o.kblocks, o.streams, o.sorted, o.rowLanes);
  }
};

/// Chooses formats (where missing) and schedules for every dense and conv2d
/// layer of a verified network and records them as attributes.
mlir::LogicalResult planNetwork(mlir::func::FuncOp fn, const TargetSpec &target);

/// Reads a layer's plan back from its attributes (set by `planNetwork` or by
/// hand); emits a diagnostic on the op if they are malformed.
mlir::FailureOr<LayerPlan> readPlan(mlir::Operation *op);

/// The planner's `rows` kernel schedule for a dense or conv2d layer in
/// `format`; with `rowLanes`, lanes along output rows (see
/// LayerPlan::rowLanes).
LayerPlan planRows(mlir::Operation *op, snn::FormatAttr format,
                   const TargetSpec &target, bool rowLanes = false);

/// Whether a stride-1 convolution's flat lanes would compute padding
/// columns: its padded input row is wider than its output row.
bool pitchWastesLanes(mlir::Operation *op);

/// The planner's schedule for a dense layer whose batch is shorter than a
/// vector: `gemv` for the dense format, `spmv` for sparse ones.
LayerPlan planNarrow(mlir::Operation *op, snn::FormatAttr format,
                     const TargetSpec &target);

/// Whether a layer planned as `plan` should run its outer loop in parallel
/// (target.threads > 1): enough work done (a sparse weight's stored share),
/// and at least two iterations of that loop per thread.
bool worthParallel(mlir::Operation *op, const LayerPlan &plan,
                   const TargetSpec &target);

/// The lane tiles a `Rows` kernel with `plan` (vectorised) computes per row
/// block and image: tiles per row of lanes times such rows.
int64_t laneTiles(mlir::Operation *op, const LayerPlan &plan);

/// Whether threads split a `Rows` kernel's row blocks within each lane tile
/// (and within each column segment) rather than its tiles: loop order
/// "tiles" or column segments, with fewer tiles (times output rows, where
/// lanes run along rows) than two per thread. A 1x1 convolution at 14x14
/// whose one tile holds all 196 lanes has only its rows to share out.
bool splitsRowsInTiles(mlir::Operation *op, const LayerPlan &plan,
                       const TargetSpec &target);

/// A plan as the `snn.schedule` attribute that readPlan reads back.
mlir::DictionaryAttr scheduleAttr(mlir::MLIRContext *ctx,
                                  const LayerPlan &plan);

/// The length of the dimension a `Rows` kernel with `plan` vectorises for
/// this layer: the batch for dense layers; output rows times padded width
/// for stride-1 convolutions (their output is computed on the padded row
/// pitch) unless the plan has row lanes; else the output width.
int64_t vectorisedExtent(mlir::Operation *op, const LayerPlan &plan);

/// Whether a `Rows` kernel with `plan` computes this layer on the flattened
/// padded image: stride-1 convolutions without `rowLanes`.
bool flatLanes(mlir::Operation *op, const LayerPlan &plan);

/// The output rows a `Rows` kernel with `plan` loops over outside its lanes:
/// a convolution's output height where lanes run along rows, else 1.
int64_t laneRows(mlir::Operation *op, const LayerPlan &plan);

/// The lanes a `Rows` kernel with `plan` computes: the vectorised extent,
/// rounded up to whole vectors for sparse formats on stride-1 convolutions,
/// so that every tile, the last one too, starts on a vector boundary of input
/// planes that do (see `alignedPlane`). The extra lanes are never read.
int64_t rowsKernelLanes(mlir::Operation *op, const LayerPlan &plan);

/// The distance between input channel planes a `Rows` kernel with `plan`
/// reads on a stride-1 convolution whose padded plane holds `plane`
/// elements: rounded up to whole vectors for sparse formats. A sparse row
/// streams one input plane per stored weight, each vector of it once, so
/// loads that split across cache lines cost up to half of its throughput
/// (measured on 14x14 planes with AVX-512).
int64_t alignedPlane(int64_t plane, const LayerPlan &plan);

/// Rows per output group: output channels per group for convolutions, all
/// outputs for dense layers.
int64_t rowsPerGroup(mlir::Operation *op);

/// The reduction columns of a dense or conv2d layer's output rows: its
/// inputs, or input channels per group times the kernel window.
int64_t reductionColumns(mlir::Operation *op);
/// The bytes of input one lane tile of a `Rows` kernel with `plan` reads
/// over all its columns: columns times the tile for dense and 1x1 layers;
/// for a convolution's kernel window, the taps' overlapping runs of each
/// input channel (3x3 64 -> 64 at 56x56, flat tiles of 272 lanes: 100 KiB,
/// not 9 x 64 x 272 x 4 = 627 KiB).
int64_t tileInputBytes(mlir::Operation *op, const LayerPlan &plan);
/// The column blocks a `Rows` kernel with `plan` stores per row: the columns,
/// or for the block format the columns in blocks of its width.
int64_t columnBlocks(mlir::Operation *op, const LayerPlan &plan);

/// The fraction of a layer's (masked) weights that are zero.
mlir::FailureOr<double> weightSparsity(mlir::Operation *op);

} // namespace sparsec::halide

#endif // SPARSEC_CONVERSION_SNNTOHALIDE_PLAN_H
