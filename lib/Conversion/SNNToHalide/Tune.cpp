//===- Tune.cpp - Choose kernel schedules by timing them -------*- C++ -*-===//
//
// Part of sparsec. See Tune.h. Every candidate is the same kernel family the
// planner uses (readPlan accepts all of them), so tuning can only change
// speed, never results beyond float reassociation.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Conversion/SNNToHalide/Tune.h"

#include "Lowering.h"
#include "sparsec/Conversion/SNNToHalide/Plan.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"

#include "Halide.h"
#include <fmt/format.h>

#include <algorithm>
#include <malloc.h>
#include <chrono>
#include <memory>
#include <optional>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::halide;
namespace hl = Halide;

namespace {

/// A function holding one layer alone: the layer's input is the argument,
/// the producers of its weight (constants, masks) are cloned with it.
struct SingleLayer {
  OwningOpRef<ModuleOp> module;
  func::FuncOp fn;
  Operation *layer = nullptr;
};

std::optional<SingleLayer> isolate(Operation *op) {
  OpBuilder b(op->getContext());
  Location loc = op->getLoc();
  SingleLayer s;
  s.module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(s.module->getBody());
  Type in = op->getOperand(0).getType(), out = op->getResult(0).getType();
  s.fn = b.create<func::FuncOp>(loc, "sparsec_tune",
                                b.getFunctionType({in}, {out}));
  Block *body = s.fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping map;
  map.map(op->getOperand(0), body->getArgument(0));
  std::function<bool(Value)> clone = [&](Value v) {
    if (map.contains(v))
      return true;
    Operation *def = v.getDefiningOp();
    if (!def || def->getNumRegions() != 0)
      return false;
    for (Value operand : def->getOperands())
      if (!clone(operand))
        return false;
    b.clone(*def, map);
    return true;
  };
  for (Value v : op->getOperands().drop_front())
    if (!clone(v))
      return std::nullopt;
  s.layer = b.clone(*op, map);
  b.create<func::ReturnOp>(loc, s.layer->getResult(0));
  return s;
}

/// Whether code for `t` runs on this machine.
bool runsHere(const hl::Target &t) {
  hl::Target host = hl::get_host_target();
  if (t.os != host.os || t.arch != host.arch || t.bits != host.bits)
    return false;
  for (int f = 0; f < static_cast<int>(hl::Target::FeatureEnd); ++f) {
    auto feature = static_cast<hl::Target::Feature>(f);
    if (t.has_feature(feature) && !host.has_feature(feature))
      return false;
  }
  return true;
}

/// Candidates timed again at the end of a layer's tuning.
constexpr size_t kFinalists = 3;

/// Median seconds per call of `run`, over samples of at least 2 ms.
double timeCalls(const std::function<void()> &run) {
  using clock = std::chrono::steady_clock;
  run();
  auto sample = [&](int reps) {
    auto t0 = clock::now();
    for (int i = 0; i < reps; ++i)
      run();
    return std::chrono::duration<double>(clock::now() - t0).count();
  };
  int reps = 1;
  while (reps < (1 << 16) && sample(reps) < 2e-3)
    reps *= 2;
  std::vector<double> samples;
  for (int i = 0; i < 7; ++i)
    samples.push_back(sample(reps) / reps);
  std::nth_element(samples.begin(), samples.begin() + 3, samples.end());
  return samples[3];
}

/// Compiles the isolated layer with `format` and `plan` and returns what
/// times it (seconds per call; it may be called again); none if the
/// candidate does not build.
std::function<double()> prepareCandidate(SingleLayer &s,
                                         snn::FormatAttr format,
                                         const LayerPlan &plan,
                                         const TargetSpec &target,
                                         const hl::Target &jit,
                                         bool callersInput,
                                         bool callersOutput) {
  s.layer->setAttr("format", format);
  s.layer->setAttr(kScheduleAttr, scheduleAttr(s.layer->getContext(), plan));
  if (failed(readPlan(s.layer)))
    return {};
  auto lowering = std::make_shared<NetworkLowering>(s.fn, target);
  if (failed(lowering->build()))
    return {};
  auto pipeline = std::make_shared<hl::Pipeline>(lowering->output());
  pipeline->compile_jit(jit);
  auto halideShape = [](ArrayRef<int64_t> rowMajor) {
    std::vector<int> dims(rowMajor.rbegin(), rowMajor.rend());
    return dims;
  };
  // The network's own input and output are the caller's memory: aligned
  // if the caller took care, but malloc puts large blocks 16 bytes past a
  // cache line, which splits half of the vector loads of a kernel reading
  // them in place. Such layers are timed both ways (the sum ranks the
  // candidates); buffers between layers are the workspace's and aligned.
  auto buffer = [](const std::vector<int> &dims, bool offset,
                   std::unique_ptr<float[]> &storage) {
    size_t count = 1;
    for (int d : dims)
      count *= static_cast<size_t>(d);
    storage.reset(new float[count + 32]);
    auto address = reinterpret_cast<uintptr_t>(storage.get());
    float *host = storage.get() + (64 - address % 64) % 64 / sizeof(float);
    if (offset)
      host += 16 / sizeof(float);
    return hl::Buffer<float>(host, dims);
  };
  std::vector<int> inDims = halideShape(lowering->inputView());
  std::vector<int> outDims = halideShape(lowering->outputView());
  hl::Target target_ = jit;
  auto timeWith = [=](bool offsetIn, bool offsetOut) {
    std::unique_ptr<float[]> inStorage, outStorage;
    hl::Buffer<float> in = buffer(inDims, offsetIn, inStorage);
    hl::Buffer<float> out = buffer(outDims, offsetOut, outStorage);
    // Deterministic inputs in [-1, 1): the kernels' speed does not depend
    // on the values, but denormals or NaNs could.
    uint32_t state = 12345;
    in.for_each_value([&](float &v) {
      state = state * 1664525u + 1013904223u;
      v = static_cast<float>(state >> 8) / static_cast<float>(1 << 23) - 1.0f;
    });
    lowering->input().set(in);
    // realize() with no target would use (and compile for) the host target.
    return timeCalls([&] { pipeline->realize(out, target_); });
  };
  return [=] {
    double aligned = timeWith(false, false);
    if (!callersInput && !callersOutput)
      return aligned;
    return (aligned + timeWith(callersInput, callersOutput)) / 2;
  };
}

/// The schedules worth timing for a layer planned as `base` in `format`:
/// for each number of interleaved accumulator sets, the two tile widths
/// that waste the fewest lanes on the last tile (within the registers, with
/// at least eight accumulators in flight), in both loop orders. Dense
/// weights also in blocks of twice the planned rows where the registers
/// hold two vectors of each: every input vector load then feeds twice the
/// multiply-adds (AVX-512 on EPYC Zen 5, 32 registers, 8 rows instead of 4:
/// 1x1 512 -> 512 at 14x14 501 -> 445 us, FC 4096 -> 4096 at batch 64
/// 13.2 -> 12.3 ms).
std::vector<LayerPlan> candidates(Operation *op, const LayerPlan &base,
                                  const TargetSpec &target) {
  std::vector<LayerPlan> out{base};
  int64_t V = base.vector;
  int64_t budget = target.vectorRegisters - 4;
  LayerPlan probe = base;
  int64_t lanes = rowsKernelLanes(op, probe);
  bool dense = base.format == snn::FormatKind::Dense;
  int64_t maxSets = dense ? 1 : 3;
  std::vector<int64_t> rowBlocks{base.rows};
  if (dense && 2 * base.rows * 2 <= budget && 2 * V <= lanes &&
      rowsPerGroup(op) % (2 * base.rows) == 0)
    rowBlocks.push_back(2 * base.rows);
  for (int64_t R : rowBlocks)
  for (int64_t K = 1; K <= maxSets; ++K) {
    std::vector<std::pair<double, int64_t>> tiles;
    for (int64_t T = 1; R * T * K <= budget && T * V <= lanes; ++T) {
      if (R * T * K < 8 && R * (T + 1) * K <= budget &&
          (T + 1) * V <= lanes)
        continue;
      int64_t width = T * V, count = (lanes + width - 1) / width;
      double waste = double(count * width) / double(lanes);
      tiles.push_back({waste - 1e-3 * double(T), T});
    }
    std::sort(tiles.begin(), tiles.end());
    for (size_t i = 0; i < tiles.size() && i < 2; ++i)
      for (bool tilesOuter : {false, true}) {
        // Column segments run tiles outermost in either order.
        if (base.kblocks > 1 && !tilesOuter)
          continue;
        LayerPlan p = base;
        p.rows = R;
        p.tile = tiles[i].second * V;
        p.interleave = K;
        p.tilesOuter = tilesOuter;
        bool seen = llvm::any_of(out, [&](const LayerPlan &q) {
          return q.rows == p.rows && q.tile == p.tile &&
                 q.interleave == p.interleave && q.tilesOuter == p.tilesOuter;
        });
        if (!seen)
          out.push_back(p);
      }
  }
  // Dense weights also one row at a time over all the lanes, where one tile
  // of them fits the registers and no candidate above covers them: every
  // other tiling reads all the weights once per tile (FC 4096 -> 4096 at
  // batch 64, AVX2 on EPYC Zen 5: 64 MB of weights, read 4 times by tiles
  // of 16 lanes in 4-row blocks, 20-26 ms as other machines' memory traffic
  // varied; once by one tile of 64 lanes, in 64 segments: 18.7 ms).
  int64_t allLanes = (lanes + V - 1) / V;
  if (dense && V > 0 && allLanes <= budget &&
      llvm::none_of(out, [&](const LayerPlan &q) { return q.tile >= lanes; })) {
    LayerPlan p = base;
    p.rows = 1;
    p.tile = allLanes * V;
    p.interleave = 1;
    p.tilesOuter = true;
    out.push_back(p);
  }
  return out;
}

/// Column segment counts worth timing for a sparse schedule `p`: those that
/// leave 16, 32 or 64 KiB of a lane tile's input slice per segment (the L1
/// cache holds 32-48 KiB here), when the whole slice is larger.
std::vector<int64_t> segmentCounts(Operation *op, const LayerPlan &p) {
  int64_t colBlocks = columnBlocks(op, p);
  int64_t slice = tileInputBytes(op, p);
  std::vector<int64_t> out;
  for (int64_t kib : {16, 32, 64}) {
    int64_t S = (slice + kib * 1024 - 1) / (kib * 1024);
    if (S >= 2 && S <= colBlocks && !llvm::is_contained(out, S))
      out.push_back(S);
  }
  return out;
}

/// Column segment counts worth timing for a dense schedule `p`: as for
/// sparse ones (16 or 32 KiB of the slice per segment), each rounded up to a
/// divisor of the input channels (FC: inputs), since dense segments are
/// whole channels. A 1x1 convolution 512 -> 512 at 14x14 (AVX2, EPYC Zen 2)
/// ran in 1.30 ms unsegmented, 1.18 ms in 4 segments.
std::vector<int64_t> denseSegmentCounts(Operation *op, const LayerPlan &p) {
  int64_t channels =
      cast<ShapedType>(op->getOperand(1).getType()).getDimSize(1);
  int64_t slice = tileInputBytes(op, p);
  std::vector<int64_t> out;
  for (int64_t kib : {16, 32}) {
    int64_t S = (slice + kib * 1024 - 1) / (kib * 1024);
    while (S <= channels && channels % S != 0)
      ++S;
    if (S >= 2 && S <= channels && !llvm::is_contained(out, S))
      out.push_back(S);
  }
  return out;
}

std::string describe(snn::FormatAttr format, const LayerPlan &p) {
  std::string f;
  llvm::raw_string_ostream os(f);
  os << format;
  std::string text = fmt::format("{} tile {} interleave {} order {}", f,
                                 p.tile, p.interleave,
                                 p.tilesOuter ? "tiles" : "rows");
  if (p.kblocks > 1)
    text += fmt::format(" kblocks {}", p.kblocks);
  if (p.sorted)
    text += " sorted";
  if (p.rowLanes)
    text += " row lanes";
  if (p.streams > 1)
    text += fmt::format(" streams {}", p.streams);
  if (format.getKind() == snn::FormatKind::Dense &&
      p.kernel == KernelKind::Rows)
    text += p.rows == 1 ? std::string(" one row at a time")
                        : fmt::format(" in blocks of {} rows", p.rows);
  return text;
}

} // namespace

LogicalResult sparsec::halide::tuneNetwork(func::FuncOp fn,
                                           const TargetSpec &target,
                                           llvm::raw_ostream &log,
                                           bool listCandidates) {
  hl::Target jit(target.halideTarget);
  if (!runsHere(jit))
    return fn.emitError() << "cannot tune for target '" << target.name
                          << "' (" << target.halideTarget
                          << "): its code does not run on this machine ("
                          << hl::get_host_target().to_string()
                          << "); compile without --tune";
#ifdef __GLIBC__
  // A JIT-compiled layer allocates its intermediate buffers on every call
  // (compiled networks keep them in their workspace). By default glibc maps
  // large blocks fresh and returns them on free, so every timed call would
  // also pay for faulting the pages in again (20x the kernel for a 3x3
  // convolution here). Keep freed memory in this process instead.
  mallopt(M_MMAP_THRESHOLD, 1 << 25);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  llvm::DenseSet<Operation *> handWritten;
  fn.walk([&](Operation *op) {
    if (op->hasAttr(kScheduleAttr))
      handWritten.insert(op);
  });
  if (failed(planNetwork(fn, target)))
    return failure();

  std::vector<std::pair<Operation *, unsigned>> layers;
  unsigned index = 0;
  for (Operation &op : fn.getBody().front()) {
    if (isa<snn::DenseOp, snn::Conv2DOp>(op) && !handWritten.contains(&op))
      layers.push_back({&op, index});
    ++index;
  }
  for (auto [op, opIndex] : layers) {
    FailureOr<LayerPlan> planned = readPlan(op);
    if (failed(planned))
      continue;
    // Candidates are timed on one thread; the chosen one runs in parallel
    // by the planner's rule (worthParallel). JIT-compiled code uses Halide's
    // own pool, whose sleeping workers would tilt the timings.
    planned->parallel = false;
    // Batch-1 sparse layers (spmv): only the number of interleaved partial
    // sums is timed; the best differs by target (AVX-512 code with 8 sets
    // was 35 % slower than with 2, its loads becoming gathers).
    bool spmv = planned->kernel == KernelKind::Spmv;
    // Depthwise layers: only the tile width (vectors per output row chunk)
    // is timed; on EPYC Zen 2 (AVX2) 112-wide rows ran in 235 us with tiles
    // of 4 vectors and 168 us with 8.
    bool depthwise = planned->kernel == KernelKind::Depthwise;
    // Dense batch-1 layers (gemv): only the number of weight streams.
    bool gemv = planned->kernel == KernelKind::Gemv && planned->vector > 0;
    if (!spmv && !depthwise && !gemv &&
        (planned->kernel != KernelKind::Rows || planned->vector == 0))
      continue;
    if (depthwise && planned->vector == 0)
      continue;
    FailureOr<double> sparsity = weightSparsity(op);
    if (failed(sparsity))
      return failure();
    auto format = op->getAttrOfType<snn::FormatAttr>("format");
    std::optional<SingleLayer> single = isolate(op);
    if (!single)
      continue;
    // The alternative format: dense for lightly pruned weights, csr for
    // pruned weights the cost model left dense.
    MLIRContext *ctx = op->getContext();
    std::vector<snn::FormatAttr> formats{format};
    if (spmv || depthwise || gemv) {
      // Nothing else to compare it with here.
    } else if (format.getKind() != snn::FormatKind::Dense && *sparsity < 0.8)
      formats.push_back(
          snn::FormatAttr::get(ctx, snn::FormatKind::Dense, {}));
    if (format.getKind() == snn::FormatKind::Dense && *sparsity >= 0.4)
      formats.push_back(snn::FormatAttr::get(ctx, snn::FormatKind::CSR, {}));

    bool callersInput = isa<BlockArgument>(op->getOperand(0));
    bool callersOutput = llvm::any_of(op->getResult(0).getUsers(), [](Operation *u) {
      return isa<func::ReturnOp>(u);
    });
    std::optional<double> plannedTime, bestTime;
    snn::FormatAttr bestFormat = format;
    LayerPlan best = *planned;
    int tried = 0;
    // The fastest few so far, with what times them again.
    struct Finalist {
      double time;
      snn::FormatAttr format;
      LayerPlan plan;
      std::function<double()> timer;
    };
    std::vector<Finalist> finalists;
    // (time, format, plan) of every sparse candidate timed.
    std::vector<std::tuple<double, snn::FormatAttr, LayerPlan>> sparse, dense;
    {
      // Candidates that do not build are skipped quietly.
      ScopedDiagnosticHandler quiet(ctx, [](Diagnostic &) { return success(); });
      // Every (format, schedule) timed: the segmented variants of two
      // candidates that differ only in their order are one schedule.
      std::vector<std::pair<snn::FormatAttr, LayerPlan>> timed;
      auto time = [&](snn::FormatAttr f, const LayerPlan &p) {
        if (llvm::is_contained(timed, std::make_pair(f, p)))
          return;
        timed.push_back({f, p});
        std::optional<double> t;
        std::function<double()> timer;
        try {
          timer = prepareCandidate(*single, f, p, target, jit, callersInput,
                                   callersOutput);
          if (timer)
            t = timer();
        } catch (const hl::Error &) {
          t = std::nullopt;
        }
        if (!t)
          return;
        ++tried;
        if (listCandidates)
          log << fmt::format("  {}: {}: {:.1f} us\n", layerName(op, opIndex),
                             describe(f, p), *t * 1e6);
        finalists.push_back({*t, f, p, std::move(timer)});
        llvm::stable_sort(finalists, [](const Finalist &a, const Finalist &b) {
          return a.time < b.time;
        });
        if (finalists.size() > kFinalists)
          finalists.pop_back();
        if (f == format && !plannedTime)
          plannedTime = t;
        if (!bestTime || *t < *bestTime) {
          bestTime = t;
          bestFormat = f;
          best = p;
        }
        if (f.getKind() != snn::FormatKind::Dense)
          sparse.push_back({*t, f, p});
        else if (p.kblocks == 1)
          dense.push_back({*t, f, p});
      };
      // A gemv schedule and its alternative weight streams.
      auto timeGemv = [&](snn::FormatAttr f, const LayerPlan &gemvPlan) {
        int64_t vectors = gemvPlan.tile / gemvPlan.vector;
        time(f, gemvPlan);
        for (int64_t S : {1, 2, 3, 4, 6}) {
          LayerPlan p = gemvPlan;
          p.streams = S;
          if (S != gemvPlan.streams && vectors % S == 0)
            time(f, p);
        }
      };
      if (spmv) {
        int64_t batch =
            cast<ShapedType>(op->getOperand(0).getType()).getDimSize(0);
        int64_t chains = target.vectorRegisters - 4;
        time(format, *planned);
        for (int64_t K : {1, 2, 3, 4, 6, 8}) {
          LayerPlan p = *planned;
          p.interleave = K;
          if (K != planned->interleave && K * batch <= chains)
            time(format, p);
        }
        // Against the dense gemv, which streams the weight at full
        // bandwidth in vector FMAs where spmv sums scalars: a 64 -> 64
        // layer at 78 %, AVX2 on EPYC Zen 2, ran in 0.7 us in spmv and
        // 0.2 us in gemv. Its weight streams too for lightly pruned weights.
        auto denseFormat = snn::FormatAttr::get(ctx, snn::FormatKind::Dense, {});
        LayerPlan g = planNarrow(op, denseFormat, target);
        if (g.kernel == KernelKind::Gemv && g.vector > 0) {
          if (*sparsity < 0.8)
            timeGemv(denseFormat, g);
          else
            time(denseFormat, g);
        }
        formats.clear();
        sparse.clear();
        dense.clear();
      }
      if (gemv) {
        timeGemv(format, *planned);
        formats.clear();
        sparse.clear();
        dense.clear();
      }
      if (depthwise) {
        int64_t V = planned->vector;
        int64_t width =
            cast<ShapedType>(op->getResult(0).getType()).getDimSize(3);
        time(format, *planned);
        for (int64_t T : {1, 2, 3, 4, 6, 8, 10, 12, 14}) {
          LayerPlan p = *planned;
          p.tile = T * V;
          if (p.tile != planned->tile && p.tile <= width &&
              T <= target.vectorRegisters - 2)
            time(format, p);
        }
        formats.clear();
        sparse.clear();
        dense.clear();
      }
      for (snn::FormatAttr f : formats) {
        LayerPlan base = f == format ? *planned : planRows(op, f, target);
        base.parallel = planned->parallel;
        if (base.vector == 0)
          continue;
        for (const LayerPlan &p : candidates(single->layer, base, target))
          time(f, p);
        // Lanes along output rows where the flat lanes compute the padding
        // columns and leave the output to be copied off the padded pitch.
        if (pitchWastesLanes(op)) {
          LayerPlan rows = planRows(op, f, target, /*rowLanes=*/true);
          rows.parallel = planned->parallel;
          if (rows.vector > 0)
            for (const LayerPlan &p : candidates(single->layer, rows, target))
              time(f, p);
        }
      }
      // Then the two fastest sparse schedules with their columns in
      // segments (order "tiles"), for inputs whose tile slice overflows L1.
      llvm::sort(sparse, [](const auto &a, const auto &b) {
        return std::get<0>(a) < std::get<0>(b);
      });
      sparse.resize(std::min<size_t>(sparse.size(), 2));
      for (auto [t, f, p] : std::vector(sparse))
        for (int64_t S : segmentCounts(op, p)) {
          LayerPlan q = p;
          q.tilesOuter = true;
          q.kblocks = S;
          time(f, q);
        }
      // And the two fastest dense ones, in segments of whole channels, and
      // the one with the widest tile (the fewest passes over the weights;
      // of those, the most rows per block): where its tile's slice overflows
      // the caches it is the slowest whole and the fastest in segments (FC
      // 4096 -> 4096 at batch 64, AVX-512 on EPYC Zen 5: 4 rows x 64 lanes,
      // 13.3 ms whole, 8.9 ms in 32 segments; the fastest whole, 8 x 16,
      // 12.2 ms).
      llvm::sort(dense, [](const auto &a, const auto &b) {
        return std::get<0>(a) < std::get<0>(b);
      });
      auto widest = llvm::max_element(dense, [&](const auto &a, const auto &b) {
        const LayerPlan &p = std::get<2>(a), &q = std::get<2>(b);
        return std::make_pair(p.tile, p.rows) < std::make_pair(q.tile, q.rows);
      });
      if (widest != dense.end() && widest - dense.begin() >= 2)
        std::swap(dense[2], *widest);
      dense.resize(std::min<size_t>(dense.size(), 3));
      for (auto [t, f, p] : std::vector(dense))
        for (int64_t S : denseSegmentCounts(op, p)) {
          LayerPlan q = p;
          q.tilesOuter = true;
          q.kblocks = S;
          time(f, q);
        }
      // The fastest in segments once more with its rows sorted by length
      // per segment: it pays where rows' lengths vary around short trip
      // counts, and costs where the tile's sums are large.
      if (bestTime && best.kernel == KernelKind::Rows && best.kblocks > 1 &&
          (bestFormat.getKind() == snn::FormatKind::CSR ||
           bestFormat.getKind() == snn::FormatKind::Block)) {
        LayerPlan q = best;
        q.sorted = true;
        time(bestFormat, q);
      }
      // A burst of the host's noise can bury the fastest candidate or lift
      // a slower one: the finalists are timed twice more, taking turns, and
      // each keeps its fastest time.
      if (finalists.size() > 1) {
        for (int round = 0; round < 2; ++round)
          for (Finalist &c : finalists) {
            try {
              c.time = std::min(c.time, c.timer());
            } catch (const hl::Error &) {
            }
          }
        const Finalist &fastest = *llvm::min_element(
            finalists, [](const Finalist &a, const Finalist &b) {
              return a.time < b.time;
            });
        bestTime = fastest.time;
        bestFormat = fastest.format;
        best = fastest.plan;
      }
      finalists.clear();
    }
    if (!bestTime)
      continue;
    best.parallel = worthParallel(op, best, target);
    op->setAttr("format", bestFormat);
    op->setAttr(kScheduleAttr, scheduleAttr(ctx, best));
    std::string name = layerName(op, opIndex);
    log << fmt::format("tune {}: {} candidates; {}: {:.1f} us (planned: {:.1f} "
                       "us)\n",
                       name, tried, describe(bestFormat, best),
                       *bestTime * 1e6, plannedTime.value_or(0.0) * 1e6);
  }
  return success();
}
