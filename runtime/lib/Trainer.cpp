//===- Trainer.cpp - The training loop --------------------------*- C++ -*-===//
//
// Part of sparsec's runtime.
//
// One step t (0-based, counted over the whole run):
//   1. the batch: examples [b*B, (b+1)*B) of epoch e's permutation, which is
//      drawn from (seed, e) alone (the last partial batch is dropped);
//   2. pruning, if the schedule prunes at t (masks change before the step);
//   3. forward, loss, backward; a non-finite loss stops the run;
//   4. at a RigL step: drop and regrow instead of the update; otherwise the
//      optimiser's update, then the proximal L1 and group-lasso steps;
//   5. t + 1 steps are done: the end of an epoch evaluates, logs and grows;
//      checkpoints are written when due.
//
//===----------------------------------------------------------------------===//

#include "sparsec/runtime/Trainer.h"
#include "sparsec/runtime/Checkpoint.h"
#include "sparsec/runtime/Random.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

using namespace sparsec::runtime;

TrainObserver::~TrainObserver() = default;

namespace {

constexpr uint64_t kCheckpointVersion = 1;

double sparsityOf(const Graph &g) {
  int64_t size = g.prunableSize();
  return size ? 1.0 - double(g.prunableNonzeros()) / double(size) : 0.0;
}

struct Hasher {
  uint64_t h = 1469598103934665603ull;
  template <typename T> void add(const T &v) {
    h = fnv1a(reinterpret_cast<const uint8_t *>(&v), sizeof(T), h);
  }
};

} // namespace

uint64_t TrainOptions::fingerprint() const {
  Hasher h;
  h.add(epochs);
  h.add(batch);
  h.add(seed);
  h.add(optimizer.kind);
  h.add(optimizer.momentum);
  h.add(optimizer.alpha);
  h.add(optimizer.beta1);
  h.add(optimizer.beta2);
  h.add(optimizer.epsilon);
  h.add(optimizer.l2);
  h.add(optimizer.weightDecay);
  h.add(lr.kind);
  h.add(lr.base);
  h.add(lr.warmup);
  h.add(lr.total);
  h.add(lr.stepSize);
  h.add(lr.gamma);
  h.add(lr.final);
  h.add(l1);
  h.add(groupLasso);
  h.add(prune.kind);
  h.add(prune.initial);
  h.add(prune.final);
  h.add(prune.begin);
  h.add(prune.frequency);
  h.add(prune.count);
  h.add(pruneSpec.granularity);
  h.add(pruneSpec.criterion);
  h.add(pruneSpec.n);
  h.add(pruneSpec.m);
  h.add(pruneSpec.blockRows);
  h.add(pruneSpec.blockCols);
  h.add(pruneSpec.global);
  h.add(taylorDecay);
  h.add(rigl.every);
  h.add(rigl.end);
  h.add(rigl.alpha);
  h.add(grow.units);
  h.add(grow.connections);
  h.add(grow.targetAccuracy);
  h.add(grow.budget);
  return h.h;
}

Status sparsec::runtime::checkData(const Graph &g, const Dataset &data) {
  if (data.pixels() != g.inputSize())
    return Status::error("'" + data.imagesFile + "' holds " +
                         std::to_string(data.rows) + "x" +
                         std::to_string(data.cols) + " images (" +
                         std::to_string(data.pixels()) +
                         " values), but the network's input takes " +
                         std::to_string(g.inputSize()) + " per example");
  int64_t classes = g.outputSize();
  for (int64_t i = 0; i < data.count; ++i)
    if (data.labels[i] >= classes)
      return Status::error("'" + data.labelsFile + "' has label " +
                           std::to_string(data.labels[i]) + " at index " +
                           std::to_string(i) + ", but the network has " +
                           std::to_string(classes) + " outputs");
  if (data.count == 0)
    return Status::error("'" + data.imagesFile + "' holds no examples");
  return Status::success();
}

Status sparsec::runtime::evaluate(StepKernel &kernel, const Graph &g,
                                  const Dataset &data, int64_t batch,
                                  double &loss, double &accuracy) {
  if (Status s = checkData(g, data); !s)
    return s;
  int64_t in = g.inputSize(), classes = g.outputSize();
  bool probabilities = g.nodes[g.output].kind == OpKind::Softmax;
  std::vector<float> x(batch * in), out(batch * classes);
  double total = 0.0;
  int64_t correct = 0;
  for (int64_t first = 0; first < data.count; first += batch) {
    int64_t n = std::min(batch, data.count - first);
    // Always full batches: kernels specialised to a batch size see one.
    std::fill(x.begin(), x.end(), 0.0f);
    std::copy(data.image(first), data.image(first) + n * in, x.begin());
    if (Status s = kernel.forward(x.data(), batch, out.data()); !s)
      return s;
    for (int64_t b = 0; b < n; ++b) {
      const float *row = &out[b * classes];
      int32_t label = data.labels[first + b];
      if (probabilities)
        total += -std::log(std::max(double(row[label]), 1e-30));
      else
        total += crossEntropy(row, classes, label, 0.0f, nullptr);
      correct += argmax(row, classes) == label;
    }
  }
  loss = total / double(data.count);
  accuracy = double(correct) / double(data.count);
  if (!std::isfinite(loss))
    return Status::error("the loss on '" + data.imagesFile +
                         "' is not finite");
  return Status::success();
}

Trainer::Trainer(Graph &g, StepKernel &kernel, const TrainOptions &options)
    : g(g), kernel(kernel), opts(options), fingerprint_(options.fingerprint()) {
  optimizer = std::make_unique<Optimizer>(opts.optimizer, g);
  if (opts.pruneSpec.criterion == Criterion::Taylor)
    gradAverage = makeGradients(g);
}

Trainer::~Trainer() = default;

Status Trainer::saveCheckpoint(const std::string &path) const {
  ArchiveWriter w;
  w.u64(kCheckpointVersion);
  w.u64(fingerprint_);
  w.i64(step_);
  w.i64(static_cast<int64_t>(growthDone));
  w.f64(epochLoss);
  w.f64(epochCorrect);
  w.i64(epochExamples);
  w.f64(epochSeconds);
  w.u64(g.nodes.size());
  for (const Node &n : g.nodes)
    w.ints(n.shape);
  w.u64(g.params.size());
  const OptimizerState &st = optimizer->state();
  w.i64(st.steps);
  for (size_t p = 0; p < g.params.size(); ++p) {
    const Param &prm = g.params[p];
    w.str(prm.name);
    w.ints(prm.shape);
    w.floats(prm.values);
    w.bytesOf(prm.mask);
    w.floats(st.slot1[p]);
    w.floats(st.slot2[p]);
    w.floats(p < gradAverage.size() ? gradAverage[p] : std::vector<float>());
  }
  w.u64(history_.size());
  for (const EpochStats &e : history_) {
    w.i64(e.epoch);
    w.i64(e.steps);
    w.f64(e.trainLoss);
    w.f64(e.trainAccuracy);
    w.f64(e.testLoss);
    w.f64(e.testAccuracy);
    w.i64(e.hasTest);
    w.f64(e.lr);
    w.f64(e.sparsity);
    w.i64(e.nonzeros);
    w.i64(e.parameters);
    w.i64(e.deadUnits);
    w.f64(e.seconds);
    w.f64(e.examplesPerSecond);
  }
  return w.commit(path);
}

Status Trainer::resume(const std::string &path) {
  ArchiveReader r;
  if (Status s = r.open(path); !s)
    return s;
  auto bad = [&](const std::string &why) {
    return Status::error("checkpoint '" + path + "' " + why);
  };
  uint64_t version = 0, fp = 0, count = 0;
  int64_t grown = 0;
  r.u64(version);
  if (version != kCheckpointVersion)
    return bad("has format version " + std::to_string(version) +
               "; this sparsec reads version " +
               std::to_string(kCheckpointVersion));
  r.u64(fp);
  if (r.ok() && fp != fingerprint_)
    return bad("was written by a run with different training options; "
               "resume with the options it was started with");
  r.i64(step_);
  r.i64(grown);
  growthDone = grown != 0;
  r.f64(epochLoss);
  r.f64(epochCorrect);
  r.i64(epochExamples);
  r.f64(epochSeconds);
  r.u64(count);
  if (!r.ok() || count != g.nodes.size())
    return bad("is for a network with " + std::to_string(count) +
               " ops; this one has " + std::to_string(g.nodes.size()));
  std::vector<std::vector<int64_t>> shapes(count);
  for (auto &s : shapes)
    r.ints(s);
  r.u64(count);
  if (!r.ok() || count != g.params.size())
    return bad("is for a network with " + std::to_string(count) +
               " parameters; this one has " +
               std::to_string(g.params.size()));
  Graph restored = g;
  for (size_t i = 0; i < shapes.size(); ++i)
    restored.nodes[i].shape = shapes[i];
  OptimizerState st;
  r.i64(st.steps);
  st.slot1.resize(count);
  st.slot2.resize(count);
  Gradients avg(count);
  for (size_t p = 0; p < count; ++p) {
    Param &prm = restored.params[p];
    std::string name;
    r.str(name);
    if (r.ok() && name != prm.name)
      return bad("has parameter '" + name + "' where the network has '" +
                 prm.name + "'");
    r.ints(prm.shape);
    r.floats(prm.values);
    r.bytesOf(prm.mask);
    r.floats(st.slot1[p]);
    r.floats(st.slot2[p]);
    r.floats(avg[p]);
  }
  r.u64(count);
  std::vector<EpochStats> hist(r.ok() ? count : 0);
  for (EpochStats &e : hist) {
    int64_t hasTest = 0;
    r.i64(e.epoch);
    r.i64(e.steps);
    r.f64(e.trainLoss);
    r.f64(e.trainAccuracy);
    r.f64(e.testLoss);
    r.f64(e.testAccuracy);
    r.i64(hasTest);
    e.hasTest = hasTest != 0;
    r.f64(e.lr);
    r.f64(e.sparsity);
    r.i64(e.nonzeros);
    r.i64(e.parameters);
    r.i64(e.deadUnits);
    r.f64(e.seconds);
    r.f64(e.examplesPerSecond);
  }
  if (!r.ok() || !r.atEnd())
    return bad("is truncated or malformed");
  if (Status s = restored.verify(); !s)
    return bad("does not fit the network: " + s.message());
  g = std::move(restored);
  optimizer->state() = std::move(st);
  if (opts.pruneSpec.criterion == Criterion::Taylor)
    gradAverage = std::move(avg);
  history_ = std::move(hist);
  return kernel.refresh();
}

Status Trainer::prepare(const Dataset &train) {
  if (Status s = checkData(g, train); !s)
    return s;
  if (opts.batch < 1)
    return Status::error("the batch size must be positive");
  stepsPerEpoch = train.count / opts.batch;
  if (stepsPerEpoch == 0)
    return Status::error("'" + train.imagesFile + "' holds " +
                         std::to_string(train.count) +
                         " examples, fewer than one batch of " +
                         std::to_string(opts.batch));
  if (opts.lr.total <= 0)
    opts.lr.total = opts.epochs * stepsPerEpoch;
  return Status::success();
}

Status Trainer::epochEnd(int64_t epoch, const Dataset *test,
                         TrainObserver *obs) {
  EpochStats e;
  e.epoch = epoch + 1;
  e.steps = step_;
  e.trainLoss = epochExamples ? epochLoss / double(epochExamples) : 0.0;
  e.trainAccuracy = epochExamples ? epochCorrect / double(epochExamples) : 0.0;
  e.lr = opts.lr.at(step_ - 1);
  e.sparsity = sparsityOf(g);
  e.nonzeros = g.prunableNonzeros();
  e.parameters = g.prunableSize();
  e.deadUnits = deadUnits(g);
  e.seconds = epochSeconds;
  e.examplesPerSecond = epochSeconds > 0 ? epochExamples / epochSeconds : 0.0;
  if (test) {
    if (Status s = evaluate(kernel, g, *test, opts.evalBatch, e.testLoss,
                            e.testAccuracy);
        !s)
      return s;
    e.hasTest = true;
  }
  history_.push_back(e);
  epochLoss = epochCorrect = 0;
  epochExamples = 0;
  epochSeconds = 0;
  if (obs)
    obs->onEpoch(e, history_);
  return Status::success();
}

Status Trainer::grow(const Dataset &train, TrainObserver *obs) {
  const EpochStats &last = history_.back();
  double acc = last.hasTest ? last.testAccuracy : last.trainAccuracy;
  if (acc >= opts.grow.targetAccuracy ||
      (opts.grow.budget > 0 && g.prunableNonzeros() >= opts.grow.budget)) {
    growthDone = true;
    if (obs)
      obs->onEvent("growth stops: accuracy " + std::to_string(acc) +
                   ", nonzeros " + std::to_string(g.prunableNonzeros()));
    return Status::success();
  }
  int64_t before = g.prunableNonzeros();
  if (opts.grow.units > 0) {
    std::vector<int> hidden;
    for (size_t i = 1; i < g.nodes.size(); ++i)
      if (g.nodes[i].kind == OpKind::Dense && int(i) != g.output) {
        // Only layers whose output reaches another dense layer can grow.
        bool feedsDense = false;
        std::vector<int> chain{int(i)};
        for (size_t j = i + 1; j < g.nodes.size(); ++j)
          for (int in : g.nodes[j].inputs)
            if (std::find(chain.begin(), chain.end(), in) != chain.end()) {
              if (g.nodes[j].kind == OpKind::Dense)
                feedsDense = true;
              else
                chain.push_back(int(j));
            }
        if (feedsDense)
          hidden.push_back(int(i));
      }
    for (int node : hidden) {
      OptimizerState &st = optimizer->state();
      std::vector<std::vector<std::vector<float>> *> arrays{&st.slot1,
                                                            &st.slot2};
      if (!gradAverage.empty())
        arrays.push_back(&gradAverage);
      if (Status s = growUnits(g, node, opts.grow.units,
                               hashWords(opts.seed, step_), arrays);
          !s)
        return s;
    }
  }
  if (opts.grow.connections > 0.0) {
    // Gradients of every connection on one batch drawn for this step.
    int64_t in = g.inputSize();
    int64_t n = std::min(opts.batch, train.count);
    Rng rng = streamRng(opts.seed, Stream::Regrow, step_);
    std::vector<float> x(n * in);
    std::vector<int32_t> labels(n);
    for (int64_t b = 0; b < n; ++b) {
      int64_t i = static_cast<int64_t>(rng.below(train.count));
      std::copy(train.image(i), train.image(i) + in, &x[b * in]);
      labels[b] = train.labels[i];
    }
    if (Status s = kernel.refresh(); !s)
      return s;
    Gradients grads = makeGradients(g);
    StepResult r;
    if (Status s = kernel.train(x.data(), labels.data(), n, 0, true, r, grads);
        !s)
      return s;
    for (int p : g.prunable()) {
      Param &w = g.params[p];
      if (!w.hasMask())
        continue;
      int64_t active = 0;
      for (uint8_t m : w.mask)
        active += m;
      int64_t k = std::min<int64_t>(
          w.size() - active,
          static_cast<int64_t>(std::ceil(opts.grow.connections * active)));
      std::vector<std::pair<float, int64_t>> cand;
      for (int64_t i = 0; i < w.size(); ++i)
        if (!w.mask[i])
          cand.push_back({-std::fabs(grads[p][i]), i});
      std::stable_sort(cand.begin(), cand.end(),
                       [](auto &a, auto &b) { return a.first < b.first; });
      for (int64_t j = 0; j < k; ++j) {
        w.mask[cand[j].second] = 1;
        optimizer->resetElement(p, cand[j].second);
      }
    }
  }
  if (Status s = kernel.refresh(); !s)
    return s;
  if (obs)
    obs->onEvent("grew the network: " + std::to_string(before) + " -> " +
                 std::to_string(g.prunableNonzeros()) +
                 " nonzero weights (new connections start at zero)");
  return Status::success();
}

Status Trainer::run(const Dataset &train, const Dataset *test,
                    TrainObserver *obs) {
  stopped_ = false;
  if (Status s = prepare(train); !s)
    return s;
  if (test)
    if (Status s = checkData(g, *test); !s)
      return s;
  int64_t in = g.inputSize();
  int64_t total = opts.epochs * stepsPerEpoch;
  std::vector<float> x(opts.batch * in);
  std::vector<int32_t> labels(opts.batch);
  std::vector<int64_t> order;
  int64_t orderEpoch = -1;
  Gradients grads = makeGradients(g);
  std::vector<int> prunable = g.prunable();
  bool checkpoints = opts.checkpointEvery > 0 && !opts.checkpointPath.empty();
  using Clock = std::chrono::steady_clock;
  // The sparsity the progress reports, counted again only after a step that
  // can zero weights (pruning, regrowth, L1, group lasso, growth): masked
  // updates keep pruned weights at zero and leave the count as it was.
  double sparsity = sparsityOf(g);

  while (step_ < total) {
    auto start = Clock::now();
    int64_t epoch = step_ / stepsPerEpoch, b = step_ % stepsPerEpoch;
    if (orderEpoch != epoch) {
      order.resize(train.count);
      std::iota(order.begin(), order.end(), 0);
      Rng rng = streamRng(opts.seed, Stream::DataOrder, epoch);
      shuffle(order, rng);
      orderEpoch = epoch;
    }
    for (int64_t j = 0; j < opts.batch; ++j) {
      int64_t i = order[b * opts.batch + j];
      std::copy(train.image(i), train.image(i) + in, &x[j * in]);
      labels[j] = train.labels[i];
    }

    if (opts.prune.prunesAt(step_)) {
      double target = opts.prune.sparsityAt(step_);
      if (opts.pruneSpec.granularity == Granularity::NM)
        target = std::min(target, nmSparsity(opts.pruneSpec));
      int64_t newly = pruneTo(g, prunable, target, opts.pruneSpec,
                              gradAverage.empty() ? nullptr : &gradAverage);
      if (Status s = kernel.refresh(); !s)
        return s;
      if (obs)
        obs->onEvent("step " + std::to_string(step_) + ": pruned to " +
                     std::to_string(sparsityOf(g)) + " sparsity (target " +
                     std::to_string(target) + ", " + std::to_string(newly) +
                     " weights newly masked)");
    }

    bool rigl = opts.rigl.activeAt(step_);
    bool recount = rigl || opts.prune.prunesAt(step_) || opts.l1 != 0.0f ||
                   opts.groupLasso != 0.0f;
    // Gradients of pruned weights are needed only to choose regrowth.
    StepResult r;
    if (Status s = kernel.train(x.data(), labels.data(), opts.batch,
                                hashWords(opts.seed, uint64_t(Stream::Dropout),
                                          step_),
                                rigl, r, grads);
        !s)
      return s;
    if (!std::isfinite(r.loss))
      return Status::error("the loss became " +
                           std::string(std::isnan(r.loss) ? "NaN" : "infinite") +
                           " at step " + std::to_string(step_ + 1) +
                           " (epoch " + std::to_string(epoch + 1) +
                           "); try a smaller learning rate");
    if (!gradAverage.empty()) {
      float d = static_cast<float>(opts.taylorDecay);
      for (size_t p = 0; p < grads.size(); ++p)
        for (size_t i = 0; i < grads[p].size(); ++i)
          gradAverage[p][i] = d * gradAverage[p][i] + (1.0f - d) * grads[p][i];
    }

    float lr = static_cast<float>(opts.lr.at(step_));
    if (rigl) {
      double f = opts.rigl.alpha * 0.5 *
                 (1.0 + std::cos(M_PI * double(step_) / double(opts.rigl.end)));
      int64_t moved = rigLUpdate(g, prunable, grads, f, optimizer.get());
      if (Status s = kernel.refresh(); !s)
        return s;
      if (obs)
        obs->onEvent("step " + std::to_string(step_) + ": RigL moved " +
                     std::to_string(moved) + " connections");
    } else {
      optimizer->step(g, grads, lr);
      proximalL1(g, lr, opts.l1);
      proximalGroupLasso(g, lr, opts.groupLasso);
    }
    if (recount)
      sparsity = sparsityOf(g);
    ++step_;
    epochLoss += r.loss * double(opts.batch);
    epochCorrect += double(r.correct);
    epochExamples += opts.batch;
    epochSeconds +=
        std::chrono::duration<double>(Clock::now() - start).count();

    if (obs) {
      Progress p;
      p.step = step_;
      p.totalSteps = total;
      p.epoch = epoch + 1;
      p.epochs = opts.epochs;
      p.stepInEpoch = b + 1;
      p.stepsPerEpoch = stepsPerEpoch;
      p.loss = epochLoss / double(epochExamples);
      p.accuracy = epochCorrect / double(epochExamples);
      p.sparsity = sparsity;
      p.lr = lr;
      p.examplesPerSecond = epochExamples / std::max(epochSeconds, 1e-9);
      if (!obs->onStep(p)) {
        stopped_ = true;
        return Status::success();
      }
    }
    bool endOfEpoch = step_ % stepsPerEpoch == 0;
    if (endOfEpoch) {
      if (Status s = epochEnd(epoch, test, obs); !s)
        return s;
      if (opts.grow.enabled() && !growthDone && step_ < total)
        if (Status s = grow(train, obs); !s)
          return s;
      sparsity = sparsityOf(g);
      if (g.params.size() != grads.size() ||
          [&] {
            for (size_t p = 0; p < grads.size(); ++p)
              if (!grads[p].empty() && grads[p].size() != g.params[p].values.size())
                return true;
            return false;
          }())
        grads = makeGradients(g);
    }
    if (checkpoints &&
        (step_ % opts.checkpointEvery == 0 || endOfEpoch))
      if (Status s = saveCheckpoint(opts.checkpointPath); !s)
        return s;
  }
  return Status::success();
}
