//===- finetune.cpp - Fine-tune a pruned LeNet-5 with a compiled step -----===//
//
// Part of sparsec's examples. Links the training step that
// `sparsec compile --train` wrote for examples/mnist/lenet5-pruned.mlir (its
// masks compiled in) and sparsec's runtime library, which reads the data and
// owns the optimiser. No MLIR, no LLVM, no compiler at run time.
//
//   finetune DIR [--epochs N] [--limit N] [--test-limit N] [--batch N]
//                [--lr X] [--seed S] [-o tuned.ckpt]
//
// Reads MNIST from DIR (`bash .ci/fetch-data.sh mnist` leaves it in
// .cache/data/mnist), starts from the weights the network was compiled with
// (lenet5_train_init), runs SGD with momentum on the compiled step and prints
// the test accuracy before and after, the mean training loss of each epoch,
// and whether every pruned weight is still exactly zero. -o writes the tuned
// parameters as a runtime archive (checksummed, written atomically).
//
//===----------------------------------------------------------------------===//

#include "lenet5_train.h"

#include <HalideBuffer.h>
#include <sparsec/runtime/Checkpoint.h>
#include <sparsec/runtime/Data.h>
#include <sparsec/runtime/Optimizer.h>
#include <sparsec/runtime/Random.h>
#include <sparsec/runtime/Step.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

namespace rt = sparsec::runtime;
using Halide::Runtime::Buffer;

namespace {

struct Options {
  std::string dir, output;
  long epochs = 1, limit = 6000, testLimit = 2000, batch = 64;
  double lr = 0.01;
  unsigned long long seed = 1;
};

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&](const char *what) -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", what);
        return nullptr;
      }
      return argv[++i];
    };
    auto number = [&](const char *what, double &out) {
      const char *v = next(what);
      if (!v)
        return false;
      char *end = nullptr;
      out = std::strtod(v, &end);
      if (*end != '\0' || !(out > 0)) {
        std::fprintf(stderr, "error: %s: expected a positive number, not '%s'\n", what, v);
        return false;
      }
      return true;
    };
    double v = 0;
    if (a == "--epochs" || a == "--limit" || a == "--test-limit" || a == "--batch" ||
        a == "--lr" || a == "--seed") {
      if (!number(a.c_str(), v))
        return false;
      if (a == "--epochs") o.epochs = long(v);
      else if (a == "--limit") o.limit = long(v);
      else if (a == "--test-limit") o.testLimit = long(v);
      else if (a == "--batch") o.batch = long(v);
      else if (a == "--lr") o.lr = v;
      else o.seed = (unsigned long long)v;
    } else if (a == "-o") {
      const char *p = next("-o");
      if (!p)
        return false;
      o.output = p;
    } else if (!a.empty() && a[0] != '-' && o.dir.empty()) {
      o.dir = a;
    } else {
      std::fprintf(stderr, "error: unknown argument '%s'\n", a.c_str());
      return false;
    }
  }
  if (o.dir.empty()) {
    std::fprintf(stderr, "usage: finetune DIR [--epochs N] [--limit N] [--test-limit N] "
                         "[--batch N] [--lr X] [--seed S] [-o tuned.ckpt]\n");
    return false;
  }
  return true;
}

/// The network's parameters as the runtime's optimiser sees them, with the
/// values and masks the network was compiled with.
struct Model {
  rt::Graph g;
  std::vector<Buffer<float>> values, grads;
  rt::Gradients gradients;

  int init() {
    std::vector<Buffer<uint8_t>> masks;
    masks.reserve(lenet5_train_param_count); // args points into it
    for (const sparsec_train_param &p : lenet5_train_params) {
      rt::Param q;
      q.name = p.name;
      q.shape.assign(p.shape, p.shape + p.rank);
      q.values.assign(size_t(p.size), 0.0f);
      q.trainable = p.trainable != 0;
      if (p.masked)
        q.mask.assign(size_t(p.size), 0);
      g.addParam(std::move(q));
    }
    std::vector<halide_buffer_t *> args;
    for (rt::Param &q : g.params)
      values.emplace_back(q.values.data(), int(q.values.size()));
    for (Buffer<float> &b : values)
      args.push_back(b.raw_buffer());
    for (rt::Param &q : g.params)
      if (q.hasMask()) {
        masks.emplace_back(q.mask.data(), int(q.mask.size()));
        args.push_back(masks.back().raw_buffer());
      }
    static_assert(lenet5_train_param_count == 8 && lenet5_train_masked_count == 4,
                  "the call below lists LeNet-5's parameters");
    int err = lenet5_train_init(args[0], args[1], args[2], args[3], args[4], args[5],
                                args[6], args[7], args[8], args[9], args[10], args[11]);
    gradients = rt::makeGradients(g);
    for (std::vector<float> &v : gradients)
      grads.emplace_back(v.data(), int(v.size()));
    return err;
  }

  int64_t nonzeros() const {
    int64_t n = 0;
    for (const rt::Param &p : g.params)
      n += p.nonzeros();
    return n;
  }
  bool prunedStayZero() const {
    for (const rt::Param &p : g.params)
      for (int64_t i = 0; i < p.size(); ++i)
        if (!p.kept(i) && p.values[i] != 0.0f)
          return false;
    return true;
  }
};

/// Test accuracy with the compiled forward pass.
int evaluate(Model &m, const rt::Dataset &test, long batch, double &accuracy) {
  std::vector<float> out(size_t(batch) * lenet5_train_output_size);
  long correct = 0;
  for (int64_t first = 0; first < test.count; first += batch) {
    int n = int(std::min<int64_t>(batch, test.count - first));
    Buffer<float> in(const_cast<float *>(test.image(first)), lenet5_train_input_size, n);
    Buffer<float> o(out.data(), lenet5_train_output_size, n);
    auto &v = m.values;
    int err = lenet5_train_forward(in, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], o);
    if (err != 0)
      return err;
    for (int k = 0; k < n; ++k)
      correct += rt::argmax(&out[size_t(k) * lenet5_train_output_size],
                            lenet5_train_output_size) == test.labels[first + k];
  }
  accuracy = double(correct) / double(test.count);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parse(argc, argv, o))
    return 2;
  rt::Dataset train, test;
  if (rt::Status s = rt::loadSplit(o.dir, rt::Split::Train, train, o.limit); !s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  }
  if (rt::Status s = rt::loadSplit(o.dir, rt::Split::Test, test, o.testLimit); !s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  }
  if (train.pixels() != lenet5_train_input_size || test.pixels() != lenet5_train_input_size) {
    std::fprintf(stderr, "error: the network takes %d pixels per image, not %lld\n",
                 lenet5_train_input_size, (long long)train.pixels());
    return 1;
  }
  Model m;
  if (int err = m.init(); err != 0) {
    std::fprintf(stderr, "error: lenet5_train_init returned %d\n", err);
    return 1;
  }
  int64_t nonzerosBefore = m.nonzeros();
  double before = 0, after = 0;
  if (int err = evaluate(m, test, o.batch, before); err != 0) {
    std::fprintf(stderr, "error: lenet5_train_forward returned %d\n", err);
    return 1;
  }
  std::printf("fine-tuning @lenet5 on %lld examples (%lld test), %ld epochs, batch %ld, "
              "lr %g\n",
              (long long)train.count, (long long)test.count, o.epochs, o.batch, o.lr);
  std::printf("before: test accuracy %.4f, %lld nonzero parameters\n", before,
              (long long)nonzerosBefore);

  rt::OptimizerOptions oo;
  oo.kind = rt::OptimizerKind::Momentum;
  rt::Optimizer opt(oo, m.g);
  std::vector<int64_t> order(size_t(train.count));
  std::vector<float> x(size_t(o.batch) * lenet5_train_input_size);
  std::vector<int32_t> labels(size_t(o.batch));
  auto loss = Buffer<double>::make_scalar();
  auto correct = Buffer<int32_t>::make_scalar();
  auto start = std::chrono::steady_clock::now();
  int64_t seen = 0;
  for (long epoch = 1; epoch <= o.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), 0);
    rt::Rng rng(rt::hashWords(o.seed, uint64_t(epoch)));
    rt::shuffle(order, rng);
    double lossSum = 0;
    long right = 0;
    for (int64_t first = 0; first + o.batch <= train.count; first += o.batch) {
      for (long k = 0; k < o.batch; ++k) {
        int64_t e = order[size_t(first + k)];
        std::memcpy(&x[size_t(k) * lenet5_train_input_size], train.image(e),
                    sizeof(float) * lenet5_train_input_size);
        labels[size_t(k)] = train.labels[size_t(e)];
      }
      Buffer<float> in(x.data(), lenet5_train_input_size, int(o.batch));
      Buffer<int32_t> lab(labels.data(), int(o.batch));
      auto &v = m.values;
      auto &d = m.grads;
      int err = lenet5_train_step(in, lab, rt::hashWords(o.seed, uint64_t(epoch), uint64_t(first)),
                                  v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], loss, correct,
                                  d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
      if (err != 0) {
        std::fprintf(stderr, "error: lenet5_train_step returned %d\n", err);
        return 1;
      }
      lossSum += loss();
      right += correct();
      seen += o.batch;
      opt.step(m.g, m.gradients, float(o.lr));
    }
    int64_t steps = train.count / o.batch;
    std::printf("epoch %ld: mean loss %.4f, train accuracy %.4f\n", epoch,
                lossSum / double(steps * o.batch), double(right) / double(steps * o.batch));
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (int err = evaluate(m, test, o.batch, after); err != 0) {
    std::fprintf(stderr, "error: lenet5_train_forward returned %d\n", err);
    return 1;
  }
  std::printf("after: test accuracy %.4f, %lld nonzero parameters\n", after,
              (long long)m.nonzeros());
  std::printf("pruned weights still zero: %s\n", m.prunedStayZero() ? "yes" : "NO");
  std::printf("%.0f examples/s\n", double(seen) / seconds);
  if (!o.output.empty()) {
    rt::ArchiveWriter w;
    w.str("sparsec-finetune-lenet5");
    w.u64(m.g.params.size());
    for (const rt::Param &p : m.g.params) {
      w.str(p.name);
      w.ints(p.shape);
      w.floats(p.values);
      w.bytesOf(p.mask);
    }
    if (rt::Status s = w.commit(o.output); !s) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      return 1;
    }
    std::printf("wrote %s\n", o.output.c_str());
  }
  return m.prunedStayZero() ? 0 : 1;
}
