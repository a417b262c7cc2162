//===- TrainCommand.cpp - sparsec train and sparsec eval --------*- C++ -*-===//
//
// Part of sparsec. Both commands import the network into the training
// runtime (lib/Train), load MNIST-named IDX files from --data, and run the
// runtime's loop; `train` writes the tuned network back as .mlir.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "sparsec/Network/Network.h"
#include "sparsec/Train/Import.h"
#include "sparsec/Train/StepKernels.h"
#include "sparsec/runtime/Data.h"
#include "sparsec/runtime/Trainer.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <fmt/format.h>

using namespace mlir;
using namespace sparsec;
using namespace sparsec::driver;
namespace cl = llvm::cl;
namespace rt = sparsec::runtime;

namespace {

//===----------------------------------------------------------------------===//
// sparsec train
//===----------------------------------------------------------------------===//

cl::SubCommand trainSub("train", "Train or fine-tune a network on IDX data "
                                 "(MNIST's file names) and write it back");
NetworkOptions trainNet(trainSub);
cl::OptionCategory trainCat("Training");
cl::OptionCategory regCat("Regularisation");
cl::OptionCategory pruneCat("Pruning and growing");
cl::OptionCategory runCat("Checkpoints and output");

cl::opt<std::string> trainData("data", cl::Required, cl::sub(trainSub),
                               cl::value_desc("dir"), cl::cat(trainCat),
                               cl::desc("Directory with train-images-idx3-ubyte, "
                                        "train-labels-idx1-ubyte, t10k-... "
                                        "(optionally .gz)"));
cl::opt<std::string> output("o", cl::Required, cl::sub(trainSub),
                            cl::value_desc("tuned.mlir"), cl::cat(runCat),
                            cl::desc("Where to write the trained network "
                                     "(atomically)"));
cl::opt<int64_t> epochs("epochs", cl::sub(trainSub), cl::init(1),
                        cl::cat(trainCat), cl::desc("Passes over the data"));
cl::opt<int64_t> batch("batch-size", cl::sub(trainSub), cl::init(64),
                       cl::cat(trainCat), cl::desc("Examples per step"));
cl::opt<uint64_t> seed("seed", cl::sub(trainSub), cl::init(1),
                       cl::cat(trainCat),
                       cl::desc("Seed of the data order, dropout and growth"));
cl::opt<std::string> optimizer("optimizer", cl::sub(trainSub),
                               cl::init("sgd"), cl::cat(trainCat),
                               cl::desc("sgd, momentum, nesterov, rmsprop or "
                                        "adam"));
cl::opt<double> lr("lr", cl::sub(trainSub), cl::init(0.01), cl::cat(trainCat),
                   cl::desc("Learning rate"));
cl::opt<double> momentum("momentum", cl::sub(trainSub), cl::init(0.9),
                         cl::cat(trainCat),
                         cl::desc("Momentum (momentum, nesterov)"));
cl::opt<double> beta1("beta1", cl::sub(trainSub), cl::init(0.9),
                      cl::cat(trainCat), cl::desc("Adam's beta1"));
cl::opt<double> beta2("beta2", cl::sub(trainSub), cl::init(0.999),
                      cl::cat(trainCat), cl::desc("Adam's beta2"));
cl::opt<double> alpha("rms-alpha", cl::sub(trainSub), cl::init(0.99),
                      cl::cat(trainCat), cl::desc("RMSprop's smoothing"));
cl::opt<double> epsilon("eps", cl::sub(trainSub), cl::init(1e-8),
                        cl::cat(trainCat),
                        cl::desc("Adam's and RMSprop's epsilon"));
cl::opt<std::string> schedule("lr-schedule", cl::sub(trainSub),
                              cl::init("constant"), cl::cat(trainCat),
                              cl::desc("constant, step, linear or cosine"));
cl::opt<int64_t> warmup("warmup", cl::sub(trainSub), cl::init(0),
                        cl::cat(trainCat),
                        cl::desc("Steps of linear learning-rate warm-up"));
cl::opt<int64_t> lrStep("lr-step", cl::sub(trainSub), cl::init(0),
                        cl::cat(trainCat),
                        cl::desc("Step schedule: steps between decays "
                                 "(default: one epoch)"));
cl::opt<double> lrGamma("lr-gamma", cl::sub(trainSub), cl::init(0.1),
                        cl::cat(trainCat),
                        cl::desc("Step schedule: factor per decay"));
cl::opt<double> lrFinal("lr-final", cl::sub(trainSub), cl::init(0.0),
                        cl::cat(trainCat),
                        cl::desc("Linear and cosine: rate at the end"));
cl::opt<int64_t> limitTrain("limit-train", cl::sub(trainSub), cl::init(0),
                            cl::cat(trainCat),
                            cl::desc("Use only the first N training examples"));
cl::opt<int64_t> limitTest("limit-test", cl::sub(trainSub), cl::init(0),
                           cl::cat(trainCat),
                           cl::desc("Evaluate on the first N test examples"));
cl::opt<std::string> kernelKind("kernel", cl::sub(trainSub),
                                cl::init("reference"), cl::cat(trainCat),
                                cl::desc("Step kernels: halide (generated, "
                                         "JIT-compiled) or reference (plain "
                                         "C++ loops)"));
cl::opt<int> threads("threads", cl::sub(trainSub), cl::init(1),
                     cl::cat(trainCat),
                     cl::desc("Threads the step kernels use (each batch is "
                              "split into this many shards)"));

cl::opt<double> weightDecay("weight-decay", cl::sub(trainSub), cl::init(0.0),
                            cl::cat(regCat),
                            cl::desc("Decoupled weight decay (AdamW style)"));
cl::opt<double> l2("l2", cl::sub(trainSub), cl::init(0.0), cl::cat(regCat),
                   cl::desc("L2 penalty on weights, added to the gradient"));
cl::opt<double> l1("l1", cl::sub(trainSub), cl::init(0.0), cl::cat(regCat),
                   cl::desc("L1 penalty on weights, applied as a proximal "
                            "soft-threshold step (weights reach exact zero)"));
cl::opt<double> groupLasso("group-lasso", cl::sub(trainSub), cl::init(0.0),
                           cl::cat(regCat),
                           cl::desc("Group lasso on filters and neurons "
                                    "(proximal; drives whole units to zero)"));

cl::opt<std::string> prune("prune", cl::sub(trainSub), cl::init("none"),
                           cl::cat(pruneCat),
                           cl::desc("none, oneshot, iterative or gradual "
                                    "(Zhu & Gupta's cubic schedule)"));
cl::opt<double> sparsity("sparsity", cl::sub(trainSub), cl::init(0.9),
                         cl::cat(pruneCat),
                         cl::desc("Final fraction of pruned weights"));
cl::opt<double> initialSparsity("initial-sparsity", cl::sub(trainSub),
                                cl::init(-1.0), cl::cat(pruneCat),
                                cl::desc("Where the schedule starts (default: "
                                         "the network's current sparsity)"));
cl::opt<int64_t> pruneBegin("prune-begin", cl::sub(trainSub), cl::init(0),
                            cl::cat(pruneCat),
                            cl::desc("Step of the first pruning"));
cl::opt<int64_t> pruneEvery("prune-every", cl::sub(trainSub), cl::init(0),
                            cl::cat(pruneCat),
                            cl::desc("Steps between prunings (default: one "
                                     "epoch)"));
cl::opt<int64_t> pruneCount("prune-count", cl::sub(trainSub), cl::init(0),
                            cl::cat(pruneCat),
                            cl::desc("Prunings after the first (gradual) or "
                                     "in all (iterative); default: half the "
                                     "run"));
cl::opt<std::string> granularity("granularity", cl::sub(trainSub),
                                 cl::init("unstructured"), cl::cat(pruneCat),
                                 cl::desc("unstructured, N:M, block:RxC or "
                                          "channel"));
cl::opt<std::string> criterion("criterion", cl::sub(trainSub),
                               cl::init("magnitude"), cl::cat(pruneCat),
                               cl::desc("magnitude |w| or taylor |w*g|"));
cl::opt<bool> globalScope("global", cl::sub(trainSub), cl::cat(pruneCat),
                          cl::desc("Unstructured pruning with one threshold "
                                   "over all layers"));
cl::opt<int64_t> riglEvery("rigl-every", cl::sub(trainSub), cl::init(0),
                           cl::cat(pruneCat),
                           cl::desc("RigL: steps between drop-and-regrow "
                                    "updates (0: off)"));
cl::opt<int64_t> riglEnd("rigl-end", cl::sub(trainSub), cl::init(0),
                         cl::cat(pruneCat),
                         cl::desc("RigL: last step (default: 3/4 of the run)"));
cl::opt<double> riglAlpha("rigl-alpha", cl::sub(trainSub), cl::init(0.3),
                          cl::cat(pruneCat),
                          cl::desc("RigL: initial fraction moved"));
cl::opt<int64_t> growUnits("grow-units", cl::sub(trainSub), cl::init(0),
                           cl::cat(pruneCat),
                           cl::desc("Hidden units added to each hidden dense "
                                    "layer after every epoch"));
cl::opt<double> growConnections("grow-connections", cl::sub(trainSub),
                                cl::init(0.0), cl::cat(pruneCat),
                                cl::desc("Connections added after every "
                                         "epoch, as a fraction of the active "
                                         "ones (largest gradients)"));
cl::opt<double> growTarget("grow-target", cl::sub(trainSub), cl::init(1.0),
                           cl::cat(pruneCat),
                           cl::desc("Stop growing at this test accuracy"));
cl::opt<int64_t> growBudget("grow-budget", cl::sub(trainSub), cl::init(0),
                            cl::cat(pruneCat),
                            cl::desc("Stop growing at this many nonzero "
                                     "weights"));

cl::opt<std::string> checkpoint("checkpoint", cl::sub(trainSub),
                                cl::value_desc("file"), cl::cat(runCat),
                                cl::desc("Checkpoint file (written "
                                         "atomically)"));
cl::opt<int64_t> checkpointEvery("checkpoint-every", cl::sub(trainSub),
                                 cl::init(0), cl::cat(runCat),
                                 cl::desc("Steps between checkpoints (default "
                                          "with --checkpoint: every epoch)"));
cl::opt<bool> resume("resume", cl::sub(trainSub), cl::cat(runCat),
                     cl::desc("Continue from --checkpoint; the same options "
                              "give bit-identical weights"));
cl::opt<std::string> logFile("log", cl::sub(trainSub), cl::value_desc("file"),
                             cl::cat(runCat),
                             cl::desc("JSON log of every epoch (rewritten "
                                      "atomically after each)"));
cl::opt<std::string> progress("progress", cl::sub(trainSub), cl::init("auto"),
                              cl::cat(runCat),
                              cl::desc("auto (a bar on a terminal), bar, "
                                       "lines or none"));

//===----------------------------------------------------------------------===//

/// Progress on stderr: a bar redrawn in place on a terminal, otherwise one
/// line per epoch and per event on stdout.
class Reporter : public rt::TrainObserver {
public:
  Reporter(bool bar, bool quiet) : bar(bar), quiet(quiet) {}

  bool onStep(const rt::Progress &p) override {
    if (!bar)
      return true;
    auto now = std::chrono::steady_clock::now();
    if (p.stepInEpoch != p.stepsPerEpoch && now - last < std::chrono::milliseconds(100))
      return true;
    last = now;
    int width = 24;
    int filled = static_cast<int>(width * p.stepInEpoch / p.stepsPerEpoch);
    std::string barText(filled, '#');
    barText += std::string(width - filled, '.');
    llvm::errs() << fmt::format(
        "\repoch {}/{} [{}] {}/{}  loss {:.4f}  acc {:.4f}  sparsity {:.1f}%  "
        "{:.0f} ex/s ",
        p.epoch, p.epochs, barText, p.stepInEpoch, p.stepsPerEpoch, p.loss,
        p.accuracy, 100.0 * p.sparsity, p.examplesPerSecond);
    dirty = true;
    return true;
  }

  void onEpoch(const rt::EpochStats &e,
               const std::vector<rt::EpochStats> &history) override {
    clearBar();
    if (!quiet) {
      std::string line = fmt::format(
          "epoch {}: loss {:.4f} acc {:.4f}", e.epoch, e.trainLoss,
          e.trainAccuracy);
      if (e.hasTest)
        line += fmt::format("  test loss {:.4f} acc {:.4f}", e.testLoss,
                            e.testAccuracy);
      line += fmt::format("  sparsity {:.1f}%  lr {:.3g}  {:.0f} ex/s",
                          100.0 * e.sparsity, e.lr, e.examplesPerSecond);
      llvm::outs() << line << "\n";
      llvm::outs().flush();
    }
    if (epochHook)
      epochHook(history);
  }

  void onEvent(const std::string &what) override {
    clearBar();
    if (!quiet) {
      llvm::outs() << what << "\n";
      llvm::outs().flush();
    }
  }

  void clearBar() {
    if (dirty)
      llvm::errs() << "\r\033[K";
    dirty = false;
  }

  std::function<void(const std::vector<rt::EpochStats> &)> epochHook;

private:
  bool bar, quiet;
  bool dirty = false;
  std::chrono::steady_clock::time_point last;
};

llvm::json::Value epochJson(const rt::EpochStats &e) {
  llvm::json::Object o{{"epoch", e.epoch},
                       {"steps", e.steps},
                       {"train_loss", e.trainLoss},
                       {"train_accuracy", e.trainAccuracy},
                       {"lr", e.lr},
                       {"sparsity", e.sparsity},
                       {"nonzero_weights", e.nonzeros},
                       {"weights", e.parameters},
                       {"dead_units", e.deadUnits},
                       {"seconds", e.seconds},
                       {"examples_per_second", e.examplesPerSecond}};
  if (e.hasTest) {
    o["test_loss"] = e.testLoss;
    o["test_accuracy"] = e.testAccuracy;
  }
  return llvm::json::Value(std::move(o));
}

/// Writes `text` to `path` through a temporary file and a rename.
bool writeAtomically(StringRef command, StringRef path, StringRef text) {
  llvm::Error err = llvm::writeToOutput(path, [&](raw_ostream &os) {
    os << text;
    return llvm::Error::success();
  });
  if (err) {
    error(command) << "cannot write '" << path
                   << "': " << llvm::toString(std::move(err)) << "\n";
    return false;
  }
  return true;
}

bool fail(StringRef command, const rt::Status &s) {
  error(command) << s.message() << "\n";
  return false;
}

/// Fills the runtime's options from the command line; false on a bad value.
bool readOptions(const rt::Graph &g, int64_t trainCount, rt::TrainOptions &o) {
  o.epochs = epochs;
  o.batch = batch;
  o.seed = seed;
  if (epochs < 1 || batch < 1) {
    error("train") << "--epochs and --batch-size must be positive\n";
    return false;
  }
  if (!rt::parseOptimizer(optimizer, o.optimizer.kind)) {
    error("train") << "unknown optimiser '" << optimizer
                   << "'; use sgd, momentum, nesterov, rmsprop or adam\n";
    return false;
  }
  o.optimizer.momentum = static_cast<float>(momentum);
  o.optimizer.beta1 = static_cast<float>(beta1);
  o.optimizer.beta2 = static_cast<float>(beta2);
  o.optimizer.alpha = static_cast<float>(alpha);
  o.optimizer.epsilon = static_cast<float>(epsilon);
  o.optimizer.l2 = static_cast<float>(l2);
  o.optimizer.weightDecay = static_cast<float>(weightDecay);
  if (!rt::parseSchedule(schedule, o.lr.kind)) {
    error("train") << "unknown learning-rate schedule '" << schedule
                   << "'; use constant, step, linear or cosine\n";
    return false;
  }
  int64_t stepsPerEpoch = std::max<int64_t>(1, trainCount / batch);
  o.lr.base = lr;
  o.lr.warmup = warmup;
  o.lr.stepSize = lrStep > 0 ? int64_t(lrStep) : stepsPerEpoch;
  o.lr.gamma = lrGamma;
  o.lr.final = lrFinal;
  o.l1 = static_cast<float>(l1);
  o.groupLasso = static_cast<float>(groupLasso);

  if (!rt::parsePruneSchedule(prune, o.prune.kind)) {
    error("train") << "unknown pruning schedule '" << prune
                   << "'; use none, oneshot, iterative or gradual\n";
    return false;
  }
  std::string why;
  if (!rt::parseGranularity(granularity, o.pruneSpec, why)) {
    error("train") << why << "\n";
    return false;
  }
  if (criterion == "magnitude")
    o.pruneSpec.criterion = rt::Criterion::Magnitude;
  else if (criterion == "taylor")
    o.pruneSpec.criterion = rt::Criterion::Taylor;
  else {
    error("train") << "unknown criterion '" << criterion
                   << "'; use magnitude or taylor\n";
    return false;
  }
  if (globalScope && o.pruneSpec.granularity != rt::Granularity::Unstructured) {
    error("train") << "--global applies to unstructured pruning only\n";
    return false;
  }
  o.pruneSpec.global = globalScope;
  if (sparsity < 0.0 || sparsity >= 1.0) {
    error("train") << "--sparsity must be in [0, 1)\n";
    return false;
  }
  int64_t total = o.epochs * stepsPerEpoch;
  int64_t size = g.prunableSize();
  double current = size ? 1.0 - double(g.prunableNonzeros()) / double(size) : 0;
  o.prune.final = o.pruneSpec.granularity == rt::Granularity::NM
                      ? rt::nmSparsity(o.pruneSpec)
                      : double(sparsity);
  o.prune.initial = initialSparsity >= 0.0 ? double(initialSparsity) : current;
  o.prune.begin = pruneBegin;
  o.prune.frequency = pruneEvery > 0 ? int64_t(pruneEvery) : stepsPerEpoch;
  o.prune.count =
      pruneCount > 0
          ? int64_t(pruneCount)
          : std::max<int64_t>(1, (total / 2 - o.prune.begin) /
                                     o.prune.frequency);
  o.rigl.every = riglEvery;
  o.rigl.end = riglEnd > 0 ? int64_t(riglEnd) : total * 3 / 4;
  o.rigl.alpha = riglAlpha;
  o.grow.units = growUnits;
  o.grow.connections = growConnections;
  o.grow.targetAccuracy = growTarget;
  o.grow.budget = growBudget;
  o.checkpointPath = checkpoint;
  o.checkpointEvery = checkpointEvery > 0 ? int64_t(checkpointEvery)
                      : checkpoint.empty() ? 0
                                           : stepsPerEpoch;
  return true;
}

llvm::json::Object optionsJson(const rt::TrainOptions &o) {
  return llvm::json::Object{
      {"epochs", o.epochs},
      {"batch_size", o.batch},
      {"seed", static_cast<int64_t>(o.seed)},
      {"optimizer", rt::optimizerName(o.optimizer.kind)},
      {"lr", o.lr.base},
      {"lr_schedule", std::string(schedule)},
      {"warmup", o.lr.warmup},
      {"weight_decay", o.optimizer.weightDecay},
      {"l1", o.l1},
      {"l2", o.optimizer.l2},
      {"group_lasso", o.groupLasso},
      {"prune", std::string(prune)},
      {"sparsity", o.prune.final},
      {"granularity", std::string(granularity)},
      {"criterion", std::string(criterion)},
      {"kernel", std::string(kernelKind)},
  };
}

int runTrain() {
  Session session;
  func::FuncOp fn = session.load(trainNet.file, trainNet.function);
  if (!fn)
    return 1;
  FailureOr<train::ImportedNetwork> net = train::importNetwork(fn);
  if (failed(net))
    return 1;
  rt::Graph &g = net->graph;

  rt::Dataset trainSet, testSet;
  if (rt::Status s = rt::loadSplit(trainData, rt::Split::Train, trainSet,
                                   limitTrain);
      !s)
    return fail("train", s), 1;
  bool haveTest = true;
  if (rt::Status s =
          rt::loadSplit(trainData, rt::Split::Test, testSet, limitTest);
      !s) {
    // The test split is optional for training: say so once and go on.
    if (rt::findDataFile(trainData, "t10k-images-idx3-ubyte").empty()) {
      haveTest = false;
      llvm::outs() << "no test split in '" << trainData
                   << "'; reporting training metrics only\n";
    } else {
      return fail("train", s), 1;
    }
  }
  if (rt::Status s = rt::checkData(g, trainSet); !s)
    return fail("train", s), 1;
  if (haveTest)
    if (rt::Status s = rt::checkData(g, testSet); !s)
      return fail("train", s), 1;

  rt::TrainOptions options;
  if (!readOptions(g, trainSet.count, options))
    return 1;
  if (resume && checkpoint.empty()) {
    error("train") << "--resume needs --checkpoint FILE\n";
    return 1;
  }
  std::unique_ptr<rt::StepKernel> kernel;
  if (failed(train::makeStepKernel(kernelKind, g, threads, kernel, fn)))
    return 1;
  rt::Trainer trainer(g, *kernel, options);
  if (resume) {
    if (rt::Status s = trainer.resume(checkpoint); !s)
      return fail("train", s), 1;
    llvm::outs() << "resuming at step " << trainer.step() << " from '"
                 << checkpoint << "'\n";
  }

  bool isTerminal = llvm::sys::Process::StandardErrIsDisplayed();
  bool bar = progress == "bar" || (progress == "auto" && isTerminal);
  if (progress != "auto" && progress != "bar" && progress != "lines" &&
      progress != "none") {
    error("train") << "--progress takes auto, bar, lines or none\n";
    return 1;
  }
  Reporter reporter(bar, progress == "none");
  bool logOk = true;
  llvm::json::Object runInfo{{"network", fn.getSymName().str()},
                             {"data", std::string(trainData)},
                             {"step_kernel", kernel->name()},
                             {"options", optionsJson(options)}};
  if (!logFile.empty())
    reporter.epochHook = [&](const std::vector<rt::EpochStats> &history) {
      llvm::json::Array epochsJson;
      for (const rt::EpochStats &e : history)
        epochsJson.push_back(epochJson(e));
      llvm::json::Object log = runInfo;
      log["epochs"] = std::move(epochsJson);
      std::string text;
      llvm::raw_string_ostream os(text);
      os << llvm::formatv("{0:2}", llvm::json::Value(std::move(log))) << "\n";
      logOk &= writeAtomically("train", logFile, os.str());
    };
  llvm::outs() << fmt::format(
      "training @{} on {} examples ({} test), {} epochs of {} steps, "
      "{} step kernels\n",
      fn.getSymName().str(), trainSet.count, haveTest ? testSet.count : 0,
      options.epochs, trainSet.count / options.batch, kernel->name());
  llvm::outs().flush();
  rt::Status s = trainer.run(trainSet, haveTest ? &testSet : nullptr,
                             &reporter);
  reporter.clearBar();
  if (!s)
    return fail("train", s), 1;
  if (!logOk)
    return 1;

  if (failed(train::exportNetwork(fn, *net)))
    return 1;
  std::string text;
  llvm::raw_string_ostream os(text);
  fn->getParentOfType<ModuleOp>().print(os);
  os << "\n";
  if (!writeAtomically("train", output, os.str()))
    return 1;
  int64_t size = g.prunableSize();
  llvm::outs() << fmt::format(
      "wrote {}: {} of {} weights nonzero ({:.1f}% sparse)\n",
      std::string(output), g.prunableNonzeros(), size,
      size ? 100.0 * (1.0 - double(g.prunableNonzeros()) / double(size)) : 0.0);
  return 0;
}

//===----------------------------------------------------------------------===//
// sparsec eval
//===----------------------------------------------------------------------===//

cl::SubCommand evalSub("eval", "Accuracy and loss of a network on the test "
                               "split of IDX data");
NetworkOptions evalNet(evalSub);
cl::opt<std::string> evalData("data", cl::Required, cl::sub(evalSub),
                              cl::value_desc("dir"),
                              cl::desc("Directory with t10k-images-idx3-ubyte "
                                       "and t10k-labels-idx1-ubyte (optionally "
                                       ".gz)"));
cl::opt<int64_t> evalLimit("limit", cl::sub(evalSub), cl::init(0),
                           cl::desc("Use only the first N test examples"));
cl::opt<int64_t> evalBatch("batch-size", cl::sub(evalSub), cl::init(500),
                           cl::desc("Examples per forward pass"));
cl::opt<bool> evalTrainSplit("train-split", cl::sub(evalSub),
                             cl::desc("Evaluate on the training split"));
cl::opt<std::string> evalKernel("kernel", cl::sub(evalSub),
                                cl::init("reference"),
                                cl::desc("Forward kernels: reference or "
                                         "halide"));

int runEval() {
  Session session;
  func::FuncOp fn = session.load(evalNet.file, evalNet.function);
  if (!fn)
    return 1;
  FailureOr<train::ImportedNetwork> net = train::importNetwork(fn);
  if (failed(net))
    return 1;
  rt::Dataset data;
  if (rt::Status s = rt::loadSplit(
          evalData, evalTrainSplit ? rt::Split::Train : rt::Split::Test, data,
          evalLimit);
      !s)
    return fail("eval", s), 1;
  if (evalBatch < 1) {
    error("eval") << "--batch-size must be positive\n";
    return 1;
  }
  std::unique_ptr<rt::StepKernel> kernel;
  if (failed(train::makeStepKernel(evalKernel, net->graph, 1, kernel, fn,
                                   /*training=*/false)))
    return 1;
  double loss = 0, accuracy = 0;
  if (rt::Status s =
          rt::evaluate(*kernel, net->graph, data, evalBatch, loss, accuracy);
      !s)
    return fail("eval", s), 1;
  llvm::outs() << fmt::format("@{} on {} examples of {}\n",
                              fn.getSymName().str(), data.count,
                              data.imagesFile);
  llvm::outs() << fmt::format("accuracy: {:.4f}\n", accuracy);
  llvm::outs() << fmt::format("loss: {:.4f}\n", loss);
  return 0;
}

} // namespace

Command driver::trainCommand() { return {trainSub, runTrain}; }
Command driver::evalCommand() { return {evalSub, runEval}; }
