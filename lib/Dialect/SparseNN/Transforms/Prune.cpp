//===- Prune.cpp - snn-prune: one-shot pruning ------------------*- C++ -*-===//
//
// Part of sparsec. Scores groups of weights (single weights, blocks, whole
// filters) and masks the lowest-scoring ones, or the weakest of every N:M
// run. Only masks change: stored values stay, and a pruned weight stays
// pruned. The Taylor criterion runs the reference executor forward and
// backward on calibration inputs.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Dialect/SparseNN/Transforms/PruneOptions.h"
#include "sparsec/Network/Network.h"
#include "sparsec/Network/Stats.h"
#include "sparsec/Reference/Executor.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sparsec::snn {
#define GEN_PASS_DEF_SNNPRUNEPASS
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"
} // namespace sparsec::snn

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

using Granularity = PruneSettings::Granularity;
using Criterion = PruneSettings::Criterion;

//===----------------------------------------------------------------------===//
// Settings
//===----------------------------------------------------------------------===//

llvm::Error sparsec::snn::parseGranularity(StringRef text,
                                           PruneSettings &s) {
  auto bad = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "granularity '" + text + "' " + why);
  };
  if (text == "unstructured") {
    s.granularity = Granularity::Unstructured;
    return llvm::Error::success();
  }
  if (text == "channel") {
    s.granularity = Granularity::Channel;
    return llvm::Error::success();
  }
  auto [a, b] = text.split(':');
  if (text.contains(':')) {
    int64_t n, m;
    if (a.getAsInteger(10, n) || b.getAsInteger(10, m))
      return bad("is not N:M with integers N and M (e.g. 2:4)");
    if (n < 1 || n >= m)
      return bad("needs 0 < N < M, but has N = " + llvm::Twine(n) +
                 ", M = " + llvm::Twine(m));
    s.granularity = Granularity::NM;
    s.n = n;
    s.m = m;
    return llvm::Error::success();
  }
  std::tie(a, b) = text.split('x');
  int64_t r, c;
  if (!text.contains('x') || a.getAsInteger(10, r) || b.getAsInteger(10, c))
    return bad("is not one of unstructured, channel, N:M (e.g. 2:4) or RxC "
               "(e.g. 4x1)");
  if (r < 1 || c < 1)
    return bad("needs positive block sizes, but has " + llvm::Twine(r) + "x" +
               llvm::Twine(c));
  s.granularity = Granularity::Block;
  s.blockRows = r;
  s.blockCols = c;
  return llvm::Error::success();
}

llvm::Expected<PruneSettings>
sparsec::snn::parsePruneSettings(double sparsity, StringRef granularity,
                                 StringRef criterion, StringRef scope,
                                 StringRef calibration, StringRef labels) {
  auto bad = [](const llvm::Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
  };
  PruneSettings s;
  if (!(sparsity >= 0.0 && sparsity < 1.0))
    return bad("sparsity must be in [0, 1), but is " +
               fmt::format("{}", sparsity));
  s.sparsity = sparsity;
  if (llvm::Error err = parseGranularity(granularity, s))
    return std::move(err);
  std::optional<Criterion> c =
      llvm::StringSwitch<std::optional<Criterion>>(criterion)
          .Case("magnitude", Criterion::Magnitude)
          .Case("l1", Criterion::L1)
          .Case("l2", Criterion::L2)
          .Case("taylor", Criterion::Taylor)
          .Default(std::nullopt);
  if (!c)
    return bad("criterion '" + criterion +
               "' is not one of magnitude, l1, l2, taylor");
  s.criterion = *c;
  if (scope != "layer" && scope != "global")
    return bad("scope '" + scope + "' is not one of layer, global");
  s.global = scope == "global";
  if (s.criterion == Criterion::Taylor && calibration.empty())
    return bad("criterion 'taylor' needs a calibration file (option "
               "calibration)");
  if (s.criterion != Criterion::Taylor && !calibration.empty())
    return bad("calibration is only used by criterion 'taylor', but the "
               "criterion is '" +
               criterion + "'");
  if (!labels.empty() && calibration.empty())
    return bad("labels needs a calibration file (option calibration)");
  s.calibration = calibration.str();
  s.labels = labels.str();
  return s;
}

namespace {

//===----------------------------------------------------------------------===//
// Groups and scores
//===----------------------------------------------------------------------===//

/// One layer being pruned: its weight, the mask being built, and the group
/// each element belongs to.
struct Target {
  Operation *layer = nullptr;
  RawWeight weight;
  std::vector<uint8_t> keep;
  std::vector<int64_t> groupOf;
  int64_t groups = 0;
  std::vector<double> score;
};

/// Assigns elements to groups for every granularity but N:M, whose groups
/// are single weights (the N:M rule then works within each run).
void assignGroups(Target &t, const PruneSettings &s) {
  int64_t rows = t.weight.rows(), len = t.weight.rowLength();
  t.groupOf.resize(t.weight.size());
  switch (s.granularity) {
  case Granularity::Unstructured:
  case Granularity::NM:
    std::iota(t.groupOf.begin(), t.groupOf.end(), 0);
    t.groups = t.weight.size();
    break;
  case Granularity::Channel:
    for (int64_t i = 0; i < t.weight.size(); ++i)
      t.groupOf[i] = i / len;
    t.groups = rows;
    break;
  case Granularity::Block: {
    int64_t blocksPerRow = (len + s.blockCols - 1) / s.blockCols;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < len; ++c)
        t.groupOf[r * len + c] =
            (r / s.blockRows) * blocksPerRow + c / s.blockCols;
    t.groups = ((rows + s.blockRows - 1) / s.blockRows) * blocksPerRow;
    break;
  }
  }
}

/// Magnitude, L1 and L2 scores from the effective weights.
void scoreByWeights(Target &t, Criterion c) {
  t.score.assign(t.groups, 0.0);
  std::vector<int64_t> count(t.groups, 0);
  for (int64_t i = 0; i < t.weight.size(); ++i) {
    double w = t.weight.effective(i);
    int64_t g = t.groupOf[i];
    t.score[g] += c == Criterion::L2 ? w * w : std::fabs(w);
    ++count[g];
  }
  for (int64_t g = 0; g < t.groups; ++g) {
    if (c == Criterion::L2)
      t.score[g] = std::sqrt(t.score[g]);
    else if (c == Criterion::Magnitude && count[g])
      t.score[g] /= double(count[g]);
  }
}

/// Reads a whole file, naming the option it came from when it cannot.
FailureOr<std::unique_ptr<llvm::MemoryBuffer>>
readFile(func::FuncOp fn, StringRef option, StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fn.emitError() << "snn-prune: cannot read " << option << " file '"
                          << path << "': " << buffer.getError().message();
  return std::move(*buffer);
}

/// Taylor scores: for every calibration copy s, the loss gradient g_s, and
/// per group |sum_i w_i g_s,i|, averaged over the copies.
LogicalResult scoreByTaylor(func::FuncOp fn, MutableArrayRef<Target> targets,
                            const PruneSettings &s) {
  auto inType = cast<RankedTensorType>(fn.getArgument(0).getType());
  auto outType = cast<RankedTensorType>(fn.getFunctionType().getResult(0));
  if (outType.getRank() != 2)
    return fn.emitError() << "snn-prune: criterion 'taylor' needs a network "
                             "with an N x F output (for the cross-entropy "
                             "loss), but @"
                          << fn.getSymName() << " returns "
                          << formatShape(outType.getShape());
  int64_t inputElems = numElements(inType.getShape());
  int64_t batch = outType.getDimSize(0), classes = outType.getDimSize(1);

  FailureOr<std::unique_ptr<llvm::MemoryBuffer>> cal =
      readFile(fn, "calibration", s.calibration);
  if (failed(cal))
    return failure();
  StringRef bytes = (*cal)->getBuffer();
  int64_t inputBytes = inputElems * 4;
  if (bytes.empty() || bytes.size() % inputBytes != 0)
    return fn.emitError() << "snn-prune: calibration file '" << s.calibration
                          << "' holds " << bytes.size()
                          << " bytes, which is not a positive multiple of "
                             "the "
                          << inputBytes << " bytes of one "
                          << formatShape(inType.getShape()) << " f32 input";
  int64_t copies = bytes.size() / inputBytes;

  std::vector<int64_t> labels;
  if (!s.labels.empty()) {
    FailureOr<std::unique_ptr<llvm::MemoryBuffer>> lab =
        readFile(fn, "labels", s.labels);
    if (failed(lab))
      return failure();
    StringRef raw = (*lab)->getBuffer();
    if (static_cast<int64_t>(raw.size()) != copies * batch * 4)
      return fn.emitError()
             << "snn-prune: labels file '" << s.labels << "' holds "
             << raw.size() << " bytes, but the " << copies
             << " calibration input(s) of batch " << batch << " need "
             << copies * batch << " int32 labels (" << copies * batch * 4
             << " bytes)";
    for (int64_t i = 0; i < copies * batch; ++i) {
      int32_t label = static_cast<int32_t>(
          llvm::support::endian::read32le(raw.data() + 4 * i));
      if (label < 0 || label >= classes)
        return fn.emitError() << "snn-prune: labels file '" << s.labels
                              << "' has label " << label << " at position "
                              << i << ", outside the network's " << classes
                              << " classes";
      labels.push_back(label);
    }
  }

  // With a final softmax the loss is the NLL of its output, whose gradient
  // at the softmax input is p - onehot; seeding there avoids 1/p.
  Value result = fn.getBody().front().getTerminator()->getOperand(0);
  auto softmax = result.getDefiningOp<SoftmaxOp>();
  Value seedAt = softmax ? softmax.getInput() : result;

  for (Target &t : targets)
    t.score.assign(t.groups, 0.0);
  ref::Executor executor(fn);
  std::vector<double> groupSum;
  for (int64_t copy = 0; copy < copies; ++copy) {
    ref::Tensor input(inType.getShape());
    for (int64_t i = 0; i < inputElems; ++i)
      input.data[i] = llvm::bit_cast<float>(llvm::support::endian::read32le(
          bytes.data() + (copy * inputElems + i) * 4));
    FailureOr<ref::Tensor> out = executor.run(input);
    if (failed(out))
      return failure();
    std::vector<int64_t> classOf = ref::argmaxRows(*out);
    if (!labels.empty())
      classOf.assign(labels.begin() + copy * batch,
                     labels.begin() + (copy + 1) * batch);
    ref::Tensor seed;
    (void)ref::softmaxCrossEntropy(*executor.lookup(seedAt), classOf, seed);
    FailureOr<llvm::DenseMap<Value, ref::Tensor>> grads =
        executor.backward(seedAt, seed);
    if (failed(grads))
      return failure();
    for (Target &t : targets) {
      auto it = grads->find(layerWeight(t.layer));
      if (it == grads->end())
        continue; // The layer does not reach the output.
      groupSum.assign(t.groups, 0.0);
      for (int64_t i = 0; i < t.weight.size(); ++i)
        groupSum[t.groupOf[i]] +=
            double(t.weight.effective(i)) * it->second.data[i];
      for (int64_t g = 0; g < t.groups; ++g)
        t.score[g] += std::fabs(groupSum[g]);
    }
  }
  for (Target &t : targets)
    for (double &v : t.score)
      v /= double(copies);
  return success();
}

//===----------------------------------------------------------------------===//
// Selection
//===----------------------------------------------------------------------===//

/// In every run of M consecutive weights of a row, keeps the N live weights
/// with the best scores (ties: the earlier one).
void pruneNM(Target &t, int64_t n, int64_t m) {
  int64_t rows = t.weight.rows(), len = t.weight.rowLength();
  SmallVector<int64_t> live;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < len; g += m) {
      live.clear();
      for (int64_t c = g; c < std::min(g + m, len); ++c)
        if (t.keep[r * len + c])
          live.push_back(r * len + c);
      std::stable_sort(live.begin(), live.end(), [&](int64_t a, int64_t b) {
        return t.score[a] > t.score[b];
      });
      for (size_t i = n; i < live.size(); ++i)
        t.keep[live[i]] = 0;
    }
}

/// Prunes the lowest-scoring groups of `targets` (together: one threshold)
/// while that brings the number of pruned weights closer to `sparsity` of
/// them all. Pruned weights count; wholly pruned groups are not candidates.
void pruneLowest(MutableArrayRef<Target *> targets, double sparsity) {
  struct Candidate {
    double score;
    size_t target;
    int64_t group;
    int64_t live;
  };
  std::vector<Candidate> candidates;
  int64_t total = 0, pruned = 0;
  for (auto [ti, t] : llvm::enumerate(targets)) {
    std::vector<int64_t> live(t->groups, 0);
    for (int64_t i = 0; i < t->weight.size(); ++i)
      live[t->groupOf[i]] += t->keep[i];
    total += t->weight.size();
    pruned += t->weight.size() - std::accumulate(live.begin(), live.end(),
                                                 int64_t(0));
    for (int64_t g = 0; g < t->groups; ++g)
      if (live[g])
        candidates.push_back({t->score[g], ti, g, live[g]});
  }
  // Ascending score; among equals the later group goes first, so that the
  // earlier survives.
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate &a, const Candidate &b) {
              if (a.score != b.score)
                return a.score < b.score;
              if (a.target != b.target)
                return a.target > b.target;
              return a.group > b.group;
            });
  double goal = sparsity * double(total);
  SmallVector<llvm::DenseSet<int64_t>> chosen(targets.size());
  for (const Candidate &c : candidates) {
    if (double(pruned) + double(c.live) / 2.0 > goal)
      break;
    chosen[c.target].insert(c.group);
    pruned += c.live;
  }
  for (auto [ti, t] : llvm::enumerate(targets))
    if (!chosen[ti].empty())
      for (int64_t i = 0; i < t->weight.size(); ++i)
        if (chosen[ti].contains(t->groupOf[i]))
          t->keep[i] = 0;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct PrunePass : public ::sparsec::snn::impl::SNNPrunePassBase<PrunePass> {
  using SNNPrunePassBase::SNNPrunePassBase;

  /// The layers the `exclude` option names, as `sparsec stats` indices.
  FailureOr<llvm::DenseSet<Operation *>> excluded(func::FuncOp fn) {
    SmallVector<Operation *> layers = statsLayers(fn);
    SmallVector<Operation *> affine;
    for (Operation *op : layers)
      if (isAffineLayer(op))
        affine.push_back(op);
    llvm::DenseSet<Operation *> out;
    for (const std::string &name : exclude) {
      if (name == "first" || name == "last") {
        if (!affine.empty())
          out.insert(name == "first" ? affine.front() : affine.back());
        continue;
      }
      unsigned index;
      if (StringRef(name).getAsInteger(10, index))
        return fn.emitError() << "snn-prune: exclude '" << name
                              << "' is not a layer index, 'first' or 'last'";
      if (index >= layers.size())
        return fn.emitError() << "snn-prune: exclude " << index
                              << " is not a layer: @" << fn.getSymName()
                              << " has layers 0.." << layers.size() - 1;
      if (!isAffineLayer(layers[index]))
        return fn.emitError()
               << "snn-prune: exclude " << index << " is layer '"
               << layers[index]->getName().stripDialect()
               << "', which has no weights to prune";
      out.insert(layers[index]);
    }
    return out;
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    llvm::Expected<PruneSettings> settings = parsePruneSettings(
        sparsity, granularity, criterion, scope, calibration, labels);
    if (!settings) {
      fn.emitError() << "snn-prune: " << llvm::toString(settings.takeError());
      return signalPassFailure();
    }
    if (failed(verifyNetwork(fn)))
      return signalPassFailure();
    FailureOr<llvm::DenseSet<Operation *>> skip = excluded(fn);
    if (failed(skip))
      return signalPassFailure();

    std::vector<Target> targets;
    for (Operation &op : fn.getBody().front()) {
      if (!isAffineLayer(&op) || skip->contains(&op))
        continue;
      FailureOr<RawWeight> w = readRawWeight(layerWeight(&op));
      if (failed(w))
        return signalPassFailure();
      Target t;
      t.layer = &op;
      t.keep = w->mask ? *w->mask : std::vector<uint8_t>(w->size(), 1);
      t.weight = std::move(*w);
      assignGroups(t, *settings);
      targets.push_back(std::move(t));
    }

    if (settings->criterion == Criterion::Taylor) {
      if (failed(scoreByTaylor(fn, targets, *settings)))
        return signalPassFailure();
    } else {
      for (Target &t : targets)
        scoreByWeights(t, settings->criterion);
    }

    if (settings->granularity == Granularity::NM) {
      for (Target &t : targets)
        pruneNM(t, settings->n, settings->m);
    } else if (settings->global) {
      SmallVector<Target *> all;
      for (Target &t : targets)
        all.push_back(&t);
      pruneLowest(all, settings->sparsity);
    } else {
      for (Target &t : targets) {
        Target *one[] = {&t};
        pruneLowest(one, settings->sparsity);
      }
    }

    OpBuilder b(fn.getContext());
    for (Target &t : targets) {
      if (t.weight.mask ? *t.weight.mask == t.keep
                        : llvm::all_of(t.keep, [](uint8_t k) { return k; }))
        continue;
      t.weight.mask = std::move(t.keep);
      b.setInsertionPoint(t.layer);
      t.layer->setOperand(1, buildWeight(b, t.layer->getLoc(), t.weight));
    }
    eraseUnusedWeights(fn);
  }
};

} // namespace
