//===- Plan.cpp - Per-layer kernel format and schedule ----------*- C++ -*-===//
//
// Part of sparsec. The format rule here is the fallback for layers that no
// pass has given a format; the schedule follows from the format, the shape and
// the target's registers.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Conversion/SNNToHalide/Plan.h"
#include "sparsec/Dialect/SparseNN/Transforms/CostModel.h"
#include "sparsec/Network/Network.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace sparsec;
using namespace sparsec::halide;

int64_t sparsec::halide::rowsPerGroup(Operation *op) {
  if (auto conv = dyn_cast<snn::Conv2DOp>(op))
    return cast<ShapedType>(conv.getWeight().getType()).getDimSize(0) /
           conv.getGroupCount();
  return cast<ShapedType>(op->getOperand(1).getType()).getDimSize(0);
}

namespace {

int64_t batchOf(Operation *op) {
  return cast<ShapedType>(op->getOperand(0).getType()).getDimSize(0);
}

/// Dense layers whose batch is shorter than a vector are vectorised along
/// their outputs instead of their batch.
bool isNarrowDense(Operation *op, int64_t vectorWidth) {
  return isa<snn::DenseOp>(op) && batchOf(op) < vectorWidth;
}

/// The format of a layer that has none: the cost model `snn-select-format`
/// applies, for the target's vector width.
FailureOr<snn::FormatAttr> defaultFormat(Operation *op,
                                         const TargetSpec &target) {
  snn::CostModel model;
  model.vectorWidth = target.vectorWidth;
  FailureOr<snn::FormatChoice> choice = snn::chooseFormat(op, model);
  if (failed(choice))
    return failure();
  return choice->format;
}

/// Splits `extent` lanes into tiles of at most `maxTile` lanes, multiples of
/// `vector`, so that the last tile (shifted inwards) overlaps as little as
/// possible.
int64_t chooseTile(int64_t extent, int64_t maxTile, int64_t vector) {
  if (extent < vector)
    return extent;
  maxTile = std::min(maxTile, extent / vector * vector);
  int64_t tiles = (extent + maxTile - 1) / maxTile;
  int64_t tile = (extent + tiles - 1) / tiles;
  tile = (tile + vector - 1) / vector * vector;
  return std::min(tile, extent / vector * vector);
}

/// Fused multiply-adds that must be in flight to hide their latency: two
/// pipes times four cycles on the x86 and AArch64 cores we target.
constexpr int64_t kChains = 8;

/// Accumulator sets to interleave when one set has only `chains`
/// independent accumulators, within `budget` registers.
int64_t interleaveFor(int64_t chains, int64_t budget) {
  int64_t k = 1;
  while (k * chains < kChains && (k + 1) * chains <= budget)
    ++k;
  return k;
}

} // namespace

LayerPlan sparsec::halide::planRows(Operation *op, snn::FormatAttr format,
                                    const TargetSpec &target, bool rowLanes) {
  LayerPlan plan;
  plan.kernel = KernelKind::Rows;
  plan.rowLanes = rowLanes;
  plan.format = format.getKind();
  if (!format.getParams().empty()) {
    plan.formatA = format.getParams()[0];
    plan.formatB = format.getParams()[1];
  }
  int64_t groupRows = rowsPerGroup(op);
  switch (plan.format) {
  case snn::FormatKind::Dense:
    // Blocks of output rows share every input load; blocks must not straddle
    // groups.
    for (int64_t r : {4, 3, 2, 1})
      if (groupRows % r == 0) {
        plan.rows = r;
        break;
      }
    break;
  case snn::FormatKind::Block:
    plan.rows = plan.formatA;
    break;
  case snn::FormatKind::CSR:
  case snn::FormatKind::NM:
    plan.rows = 1;
    break;
  }
  // Keep a few registers for the broadcast weights and the input loads.
  int64_t accumulators = target.vectorRegisters - 4;
  int64_t vectorsPerRow = std::max<int64_t>(1, accumulators / plan.rows);
  int64_t extent = vectorisedExtent(op, plan);
  // Convolutions whose output rows are narrower than the target's vector
  // take the widest of 8 or 4 lanes that fits (tiles shifted inwards): the
  // strided depthwise layers of MobileNetV1 at 14 and 7 wide ran scalar on
  // AVX-512 (28 -> 14: 147 us of its 2.3 ms on EPYC Zen 5).
  int64_t width = target.vectorWidth;
  if (isa<snn::Conv2DOp>(op))
    while (width > extent && width > 4)
      width /= 2;
  plan.vector = extent >= width ? width : 0;
  plan.tile = chooseTile(rowsKernelLanes(op, plan), vectorsPerRow * width,
                         width);
  if (plan.format != snn::FormatKind::Dense)
    plan.interleave = interleaveFor(
        plan.rows * (plan.vector ? plan.tile / plan.vector : plan.tile),
        accumulators);
  // Sparse FC and 1x1 layers whose lane tile reads more than 64 KiB of input
  // (each stored weight reads its column's slice of the tile): every row
  // over one tile, in column segments of 32 KiB of input, so that the
  // segment's slice stays in L1 (FC 4096 -> 4096 at batch 64, 70 %, AVX2:
  // 11.2 -> 7.7 ms; 1x1 512 -> 512 at 14x14: 650 -> 395 us, by --tune).
  ArrayRef<int64_t> w = cast<ShapedType>(op->getOperand(1).getType()).getShape();
  bool pointwise = w.size() == 2 || (w.size() == 4 && w[2] == 1 && w[3] == 1);
  if (pointwise && plan.vector > 0 &&
      (plan.format == snn::FormatKind::CSR ||
       plan.format == snn::FormatKind::Block)) {
    int64_t slice = tileInputBytes(op, plan);
    if (slice > 64 * 1024) {
      plan.tilesOuter = true;
      plan.kblocks = std::min((slice + 32 * 1024 - 1) / (32 * 1024),
                              columnBlocks(op, plan));
    }
  }
  return plan;
}

int64_t sparsec::halide::tileInputBytes(Operation *op,
                                        const LayerPlan &plan) {
  auto conv = dyn_cast<snn::Conv2DOp>(op);
  if (!conv)
    return reductionColumns(op) * plan.tile * 4;
  ArrayRef<int64_t> w = cast<ShapedType>(conv.getWeight().getType()).getShape();
  ArrayRef<int64_t> x = cast<ShapedType>(conv.getInput().getType()).getShape();
  auto pad = conv.getPaddingValues();
  auto [sh, sw] = conv.getStrideValues();
  auto [dh, dw] = conv.getDilationValues();
  (void)sh;
  int64_t span;
  if (flatLanes(op, plan)) {
    // Consecutive lanes on the padded pitch: the taps are offsets into one
    // run of the channel's plane.
    int64_t pitch = x[3] + pad[1] + pad[3];
    span = plan.tile + (w[2] - 1) * dh * pitch + (w[3] - 1) * dw;
  } else {
    // Lanes along one output row: one run per kernel row.
    span = w[2] * ((plan.tile - 1) * sw + (w[3] - 1) * dw + 1);
  }
  return w[1] * span * 4;
}

int64_t sparsec::halide::reductionColumns(Operation *op) {
  ArrayRef<int64_t> w = cast<ShapedType>(op->getOperand(1).getType()).getShape();
  int64_t columns = 1;
  for (int64_t d : w.drop_front())
    columns *= d;
  return columns;
}

int64_t sparsec::halide::columnBlocks(Operation *op, const LayerPlan &plan) {
  int64_t C = plan.format == snn::FormatKind::Block ? plan.formatB : 1;
  return (reductionColumns(op) + C - 1) / C;
}

namespace {

/// A convolution with one input channel per output channel.
bool isDepthwise(Operation *op) {
  auto conv = dyn_cast<snn::Conv2DOp>(op);
  if (!conv)
    return false;
  ArrayRef<int64_t> w = cast<ShapedType>(conv.getWeight().getType()).getShape();
  int64_t channels = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
  return w[1] == 1 && conv.getGroupCount() == channels && w[0] == channels;
}

int64_t outputWidth(Operation *op) {
  return cast<ShapedType>(op->getResult(0).getType()).getDimSize(3);
}

/// Depthwise layers whose output rows hold at least a vector; narrower ones
/// vectorise better as `rows` over the whole padded plane.
LayerPlan planDepthwise(Operation *op, const TargetSpec &target) {
  LayerPlan plan;
  plan.kernel = KernelKind::Depthwise;
  int64_t width = outputWidth(op);
  // The widest power-of-two vector that fits an output row, and up to eight
  // of them per tile for independent chains (3x3 at 112x112x32, AVX2 on
  // EPYC Zen 2: 235 us with four, 168 us with eight; `--tune` times 1-14).
  int64_t vector = target.vectorWidth;
  while (vector > width)
    vector /= 2;
  plan.vector = vector >= 4 ? vector : 0;
  plan.tile = plan.vector ? std::min<int64_t>(8, width / vector) * vector : 1;
  return plan;
}

/// Weight streams for a gemv tile: up to four (FC 4096 -> 4096 at batch 1,
/// AVX2, EPYC Zen 2: 3.71 ms with one, 3.1 with two, 2.75 with three or
/// four, 2.9 with six), each of whole vectors.
int64_t gemvStreams(const LayerPlan &plan) {
  if (plan.vector == 0)
    return 1;
  int64_t vectors = plan.tile / plan.vector;
  for (int64_t s : {4, 3, 2})
    if (vectors % s == 0)
      return s;
  return 1;
}

} // namespace

LayerPlan sparsec::halide::planNarrow(Operation *op, snn::FormatAttr format,
                                      const TargetSpec &target) {
  LayerPlan plan;
  plan.format = format.getKind();
  if (plan.format == snn::FormatKind::Dense) {
    // Accumulators: tile/vector outputs for each of the batch rows.
    plan.kernel = KernelKind::Gemv;
    int64_t outputs = rowsPerGroup(op);
    int64_t perRow =
        std::max<int64_t>(1, (target.vectorRegisters - 4) / batchOf(op));
    plan.vector = outputs >= target.vectorWidth ? target.vectorWidth : 0;
    plan.tile = chooseTile(outputs, perRow * target.vectorWidth,
                           target.vectorWidth);
    plan.streams = gemvStreams(plan);
  } else {
    // Any sparse format: the rows keep only their nonzeros, summed in
    // scalar partial sums, one chain per batch row and interleaved set.
    plan.kernel = KernelKind::Spmv;
    plan.vector = 0;
    plan.tile = 1;
    plan.interleave = interleaveFor(batchOf(op), target.vectorRegisters - 4);
  }
  return plan;
}

namespace {

/// Work (multiply-accumulates done: a sparse weight's stored ones) below
/// which a parallel loop costs more than it saves. With Halide's pool,
/// whose workers sleep between loops, waking them cost ~0.1 ms per loop on
/// a 2-core VM, and only layers from 4.2 M paid; compiled networks now run
/// their loops on sparsec's spinning pool (Runtime/Workspace.c). MobileNetV1
/// 90 % pruned, AVX2, tuned, 2 threads on EPYC Zen 2: 4.75 ms with 4.2 M
/// and Halide's pool, 3.2 ms with 256 k and sparsec's (5.1 ms on one thread);
/// the margin varies with the load on the VM's host.
constexpr int64_t kParallelThreshold = 1 << 18;

int64_t denseMacs(Operation *op) {
  int64_t weights =
      numElements(cast<ShapedType>(op->getOperand(1).getType()).getShape());
  ArrayRef<int64_t> out = cast<ShapedType>(op->getResult(0).getType()).getShape();
  int64_t positions = out[0];
  if (out.size() == 4)
    positions *= out[2] * out[3];
  return weights * positions;
}


} // namespace

DictionaryAttr sparsec::halide::scheduleAttr(MLIRContext *ctx,
                                             const LayerPlan &plan) {
  Builder b(ctx);
  StringRef kernel = plan.kernel == KernelKind::Rows        ? "rows"
                     : plan.kernel == KernelKind::Gemv      ? "gemv"
                     : plan.kernel == KernelKind::Depthwise ? "depthwise"
                                                            : "spmv";
  SmallVector<NamedAttribute> attrs{
      b.getNamedAttr("kernel", b.getStringAttr(kernel)),
      b.getNamedAttr("rows", b.getI64IntegerAttr(plan.rows)),
      b.getNamedAttr("tile", b.getI64IntegerAttr(plan.tile)),
      b.getNamedAttr("vector", b.getI64IntegerAttr(plan.vector)),
      b.getNamedAttr("parallel", b.getBoolAttr(plan.parallel)),
      b.getNamedAttr("interleave", b.getI64IntegerAttr(plan.interleave)),
      b.getNamedAttr("order", b.getStringAttr(plan.tilesOuter ? "tiles"
                                                                : "rows")),
  };
  // Optional, written only when used: schedules without it read as 1.
  if (plan.kblocks != 1)
    attrs.push_back(
        b.getNamedAttr("kblocks", b.getI64IntegerAttr(plan.kblocks)));
  if (plan.streams != 1)
    attrs.push_back(
        b.getNamedAttr("streams", b.getI64IntegerAttr(plan.streams)));
  if (plan.sorted)
    attrs.push_back(b.getNamedAttr("sorted", b.getBoolAttr(true)));
  if (plan.rowLanes)
    attrs.push_back(b.getNamedAttr("flat", b.getBoolAttr(false)));
  return b.getDictionaryAttr(attrs);
}

bool sparsec::halide::worthParallel(Operation *op, const LayerPlan &plan,
                   const TargetSpec &target) {
  if (target.threads <= 1)
    return false;
  double work = double(denseMacs(op));
  if (plan.format != snn::FormatKind::Dense) {
    FailureOr<double> sparsity = weightSparsity(op);
    if (succeeded(sparsity))
      work *= 1.0 - *sparsity;
  }
  if (work < double(kParallelThreshold))
    return false;
  if (plan.kernel != KernelKind::Rows)
    return true;
  int64_t iterations =
      (plan.tilesOuter || plan.kblocks > 1) && plan.vector > 0 &&
              !splitsRowsInTiles(op, plan, target)
          ? laneTiles(op, plan)
          : cast<ShapedType>(op->getResult(0).getType()).getDimSize(1) /
                plan.rows;
  return iterations >= 2 * target.threads;
}

int64_t sparsec::halide::laneTiles(Operation *op, const LayerPlan &plan) {
  return (rowsKernelLanes(op, plan) + plan.tile - 1) / plan.tile *
         laneRows(op, plan);
}

bool sparsec::halide::splitsRowsInTiles(Operation *op, const LayerPlan &plan,
                                        const TargetSpec &target) {
  if (plan.kernel != KernelKind::Rows || plan.vector == 0 || plan.sorted ||
      !(plan.tilesOuter || plan.kblocks > 1))
    return false;
  return laneTiles(op, plan) < 2 * target.threads;
}

namespace {
bool strideOne(Operation *op) {
  auto conv = dyn_cast<snn::Conv2DOp>(op);
  if (!conv)
    return false;
  auto [sh, sw] = conv.getStrideValues();
  return sh == 1 && sw == 1;
}
} // namespace

bool sparsec::halide::pitchWastesLanes(Operation *op) {
  if (!strideOne(op))
    return false;
  auto pad = cast<snn::Conv2DOp>(op).getPaddingValues();
  ArrayRef<int64_t> x = cast<ShapedType>(op->getOperand(0).getType()).getShape();
  ArrayRef<int64_t> y = cast<ShapedType>(op->getResult(0).getType()).getShape();
  return x[3] + pad[1] + pad[3] > y[3];
}

bool sparsec::halide::flatLanes(Operation *op, const LayerPlan &plan) {
  return strideOne(op) && !plan.rowLanes;
}

int64_t sparsec::halide::laneRows(Operation *op, const LayerPlan &plan) {
  if (!isa<snn::Conv2DOp>(op) || flatLanes(op, plan))
    return 1;
  return cast<ShapedType>(op->getResult(0).getType()).getDimSize(2);
}

int64_t sparsec::halide::vectorisedExtent(Operation *op,
                                          const LayerPlan &plan) {
  if (auto conv = dyn_cast<snn::Conv2DOp>(op)) {
    ArrayRef<int64_t> x = cast<ShapedType>(conv.getInput().getType()).getShape();
    ArrayRef<int64_t> y = cast<ShapedType>(conv.getType()).getShape();
    auto pad = conv.getPaddingValues();
    if (flatLanes(op, plan))
      return y[2] * (x[3] + pad[1] + pad[3]);
    return y[3];
  }
  return batchOf(op);
}

namespace {
bool alignsLanes(const LayerPlan &plan) {
  return plan.kernel == KernelKind::Rows && plan.vector > 0 &&
         plan.format != snn::FormatKind::Dense;
}
} // namespace

int64_t sparsec::halide::rowsKernelLanes(Operation *op, const LayerPlan &plan) {
  int64_t extent = vectorisedExtent(op, plan);
  if (!flatLanes(op, plan) || !alignsLanes(plan))
    return extent;
  return (extent + plan.vector - 1) / plan.vector * plan.vector;
}

int64_t sparsec::halide::alignedPlane(int64_t plane, const LayerPlan &plan) {
  if (!alignsLanes(plan))
    return plane;
  return (plane + plan.vector - 1) / plan.vector * plan.vector;
}

FailureOr<double> sparsec::halide::weightSparsity(Operation *op) {
  FailureOr<Weight> w = readWeight(op->getOperand(1));
  if (failed(w))
    return failure();
  return w->size() ? 1.0 - double(w->nonzeros()) / double(w->size()) : 0.0;
}

LogicalResult sparsec::halide::planNetwork(func::FuncOp fn,
                                           const TargetSpec &target) {
  WalkResult result = fn.walk([&](Operation *op) -> WalkResult {
    if (!isa<snn::DenseOp, snn::Conv2DOp>(op))
      return WalkResult::advance();
    auto format = op->getAttrOfType<snn::FormatAttr>("format");
    if (!format) {
      FailureOr<snn::FormatAttr> chosen = defaultFormat(op, target);
      if (failed(chosen))
        return WalkResult::interrupt();
      format = *chosen;
      op->setAttr("format", format);
    }
    if (format.getKind() == snn::FormatKind::Block) {
      int64_t groupRows = rowsPerGroup(op);
      if (groupRows % format.getParams()[0] != 0) {
        op->emitOpError() << "has format " << format << ", but its "
                          << groupRows << " output rows per group are not a "
                          << "multiple of the block's "
                          << format.getParams()[0] << " rows";
        return WalkResult::interrupt();
      }
    }
    // A schedule written by hand (or by an earlier run) is kept; readPlan
    // checks it below.
    if (op->hasAttr(kScheduleAttr))
      return failed(readPlan(op)) ? WalkResult::interrupt()
                                  : WalkResult::advance();
    bool narrow = isNarrowDense(op, target.vectorWidth);
    LayerPlan plan = narrow ? planNarrow(op, format, target)
                     : isDepthwise(op) &&
                             format.getKind() == snn::FormatKind::Dense &&
                             outputWidth(op) >= target.vectorWidth
                         ? planDepthwise(op, target)
                         : planRows(op, format, target);
    plan.parallel = worthParallel(op, plan, target);
    op->setAttr(kScheduleAttr, scheduleAttr(op->getContext(), plan));
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

FailureOr<LayerPlan> sparsec::halide::readPlan(Operation *op) {
  auto format = op->getAttrOfType<snn::FormatAttr>("format");
  auto dict = op->getAttrOfType<DictionaryAttr>(kScheduleAttr);
  if (!format || !dict)
    return op->emitOpError() << "has no kernel format and schedule; run the "
                                "planner first";
  LayerPlan plan;
  plan.format = format.getKind();
  if (!format.getParams().empty()) {
    plan.formatA = format.getParams()[0];
    plan.formatB = format.getParams()[1];
  }
  auto kernel = dict.getAs<StringAttr>("kernel");
  auto rows = dict.getAs<IntegerAttr>("rows");
  auto tile = dict.getAs<IntegerAttr>("tile");
  auto vector = dict.getAs<IntegerAttr>("vector");
  auto parallel = dict.getAs<BoolAttr>("parallel");
  if (!kernel || !rows || !tile || !vector || !parallel)
    return op->emitOpError() << kScheduleAttr
                             << " must hold kernel, rows, tile, vector and "
                                "parallel, but is "
                             << dict;
  std::optional<KernelKind> kind =
      llvm::StringSwitch<std::optional<KernelKind>>(kernel.getValue())
          .Case("rows", KernelKind::Rows)
          .Case("gemv", KernelKind::Gemv)
          .Case("spmv", KernelKind::Spmv)
          .Case("depthwise", KernelKind::Depthwise)
          .Default(std::nullopt);
  if (!kind)
    return op->emitOpError() << "unknown kernel '" << kernel.getValue()
                             << "' in " << kScheduleAttr
                             << " (rows, gemv, spmv or depthwise)";
  plan.kernel = *kind;
  plan.rows = rows.getInt();
  plan.tile = tile.getInt();
  plan.vector = vector.getInt();
  plan.parallel = parallel.getValue();
  // Optional: schedules written before it existed interleave nothing.
  if (auto interleave = dict.getAs<IntegerAttr>("interleave"))
    plan.interleave = interleave.getInt();
  if (auto order = dict.get("order")) {
    auto str = dyn_cast<StringAttr>(order);
    if (!str || (str.getValue() != "rows" && str.getValue() != "tiles"))
      return op->emitOpError() << kScheduleAttr << " order must be \"rows\" "
                               << "or \"tiles\", but is " << order;
    plan.tilesOuter = str.getValue() == "tiles";
  }
  if (auto kblocks = dict.get("kblocks")) {
    auto value = dyn_cast<IntegerAttr>(kblocks);
    if (!value || value.getInt() < 1)
      return op->emitOpError() << kScheduleAttr
                               << " kblocks must be a positive integer, but "
                                  "is "
                               << kblocks;
    plan.kblocks = value.getInt();
  }
  if (auto streams = dict.get("streams")) {
    auto value = dyn_cast<IntegerAttr>(streams);
    if (!value || value.getInt() < 1)
      return op->emitOpError() << kScheduleAttr
                               << " streams must be a positive integer, but "
                                  "is "
                               << streams;
    plan.streams = value.getInt();
  }
  // Optional booleans: none where absent.
  auto optionalBool = [&](StringRef key) -> FailureOr<std::optional<bool>> {
    Attribute attr = dict.get(key);
    if (!attr)
      return std::optional<bool>();
    auto value = dyn_cast<BoolAttr>(attr);
    if (!value)
      return op->emitOpError() << kScheduleAttr << " " << key
                               << " must be true or false, but is " << attr;
    return std::optional<bool>(value.getValue());
  };
  FailureOr<std::optional<bool>> sorted = optionalBool("sorted");
  if (failed(sorted))
    return failure();
  FailureOr<std::optional<bool>> flatAttr = optionalBool("flat");
  if (failed(flatAttr))
    return failure();
  plan.sorted = sorted->value_or(false);
  std::optional<bool> flat = *flatAttr;
  plan.rowLanes = flat && !*flat;
  if (plan.interleave < 1 ||
      (plan.interleave > 1 && plan.format == snn::FormatKind::Dense))
    return op->emitOpError()
           << kScheduleAttr << " interleave = " << plan.interleave
           << " must be 1 for the dense format and at least 1 otherwise";
  if (plan.rows < 1 || plan.tile < 1 || plan.vector < 0)
    return op->emitOpError() << kScheduleAttr
                             << " needs rows >= 1, tile >= 1 and vector >= "
                                "0, but has rows = "
                             << plan.rows << ", tile = " << plan.tile
                             << ", vector = " << plan.vector;
  if (plan.vector > 0 && plan.tile % plan.vector != 0)
    return op->emitOpError() << kScheduleAttr << " tile " << plan.tile
                             << " is not a multiple of the vector width "
                             << plan.vector;
  if (plan.kernel == KernelKind::Depthwise) {
    if (!isDepthwise(op) || plan.format != snn::FormatKind::Dense)
      return op->emitOpError() << "kernel 'depthwise' needs a convolution "
                                  "with one input channel per output channel "
                                  "in the dense format";
    int64_t width = cast<ShapedType>(op->getResult(0).getType()).getDimSize(3);
    if (plan.vector > 0 && plan.tile > width)
      return op->emitOpError() << kScheduleAttr << " tile " << plan.tile
                               << " exceeds the output width " << width;
    if (plan.interleave != 1 || plan.tilesOuter || plan.rows != 1 ||
        plan.kblocks != 1 || plan.streams != 1 || plan.sorted || flat)
      return op->emitOpError() << kScheduleAttr << " of kernel 'depthwise' "
                                  "needs rows = 1, interleave = 1, kblocks = 1, "
                                  "streams = 1, order \"rows\" and no sorted "
                                  "rows or flat";
    return plan;
  }
  if (flat && (plan.kernel != KernelKind::Rows || !isa<snn::Conv2DOp>(op) ||
               (*flat && !strideOne(op))))
    return op->emitOpError()
           << kScheduleAttr << " flat = " << (*flat ? "true" : "false")
           << (*flat ? " needs the rows kernel of a stride-1 convolution"
                     : " needs the rows kernel of a convolution");
  if (plan.kernel != KernelKind::Rows && !isa<snn::DenseOp>(op))
    return op->emitOpError() << "kernel '" << kernel.getValue()
                             << "' is for dense layers only";
  if (plan.kernel == KernelKind::Gemv && plan.format != snn::FormatKind::Dense)
    return op->emitOpError() << "kernel 'gemv' needs the dense format";
  if (plan.kernel == KernelKind::Spmv && plan.format == snn::FormatKind::Dense)
    return op->emitOpError() << "kernel 'spmv' needs a sparse format";
  if (plan.streams != 1) {
    int64_t unit = plan.vector > 0 ? plan.vector : 1;
    if (plan.kernel != KernelKind::Gemv ||
        plan.tile % (plan.streams * unit) != 0)
      return op->emitOpError()
             << kScheduleAttr << " streams = " << plan.streams
             << " needs the gemv kernel with a tile of whole vectors per "
                "stream, but has tile = "
             << plan.tile << ", vector = " << plan.vector;
  }
  if (plan.kernel == KernelKind::Rows) {
    int64_t expectRows = plan.format == snn::FormatKind::Block ? plan.formatA
                         : plan.format == snn::FormatKind::Dense ? plan.rows
                                                                 : 1;
    if (plan.rows != expectRows || rowsPerGroup(op) % plan.rows != 0)
      return op->emitOpError()
             << kScheduleAttr << " rows = " << plan.rows
             << " does not fit format " << format << " and "
             << rowsPerGroup(op) << " output rows per group";
    int64_t extent = rowsKernelLanes(op, plan);
    if (plan.tile > extent)
      return op->emitOpError() << kScheduleAttr << " tile " << plan.tile
                               << " exceeds the " << extent
                               << " lanes of the vectorised dimension";
  }
  if (plan.kblocks > 1) {
    int64_t colBlocks = columnBlocks(op, plan);
    if (plan.kernel != KernelKind::Rows || plan.vector == 0 ||
        plan.kblocks > colBlocks)
      return op->emitOpError()
             << kScheduleAttr << " kblocks = " << plan.kblocks
             << " needs the rows kernel with vector lanes and at most "
             << colBlocks << " column blocks";
    if (plan.format == snn::FormatKind::Dense) {
      // Dense segments are whole input channels (columns of FC layers).
      ArrayRef<int64_t> w =
          cast<ShapedType>(op->getOperand(1).getType()).getShape();
      if (w[1] % plan.kblocks != 0)
        return op->emitOpError()
               << kScheduleAttr << " kblocks = " << plan.kblocks
               << " does not divide the " << w[1]
               << (w.size() == 4 ? " input channels per group" : " inputs")
               << " of a dense weight";
    }
  }
  if (plan.sorted &&
      (plan.kernel != KernelKind::Rows || plan.kblocks < 2 ||
       (plan.format != snn::FormatKind::CSR &&
        plan.format != snn::FormatKind::Block)))
    return op->emitOpError()
           << kScheduleAttr
           << " sorted = true needs the rows kernel with kblocks > 1 and the "
              "csr or block format, but has kernel '"
           << kernel.getValue() << "', kblocks = " << plan.kblocks
           << ", format " << format;
  return plan;
}
