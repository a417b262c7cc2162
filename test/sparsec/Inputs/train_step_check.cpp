// Calls the entry points `sparsec compile --train` wrote for the network of
// compile-train.test (conv 2x3x3 masked, relu, flatten, dense 3 masked) and
// checks them against each other: _train_init returns the network's values
// and masks, _train_step's gradients agree with central finite differences
// of the loss computed from _train_forward's outputs, and masked-out
// weights' gradients are exactly zero. A wrong-sized buffer is refused.
#include "tiny_train.h"

#include <HalideBuffer.h>

#include <cmath>
#include <cstdio>
#include <vector>

using Halide::Runtime::Buffer;

// Halide's default handler prints and aborts; return the error code instead.
static void onError(void *, const char *msg) { std::fprintf(stderr, "halide: %s\n", msg); }

int main() {
  halide_set_error_handler(onError);
  static_assert(tiny_train_param_count == 4, "conv w, conv b, dense w, dense b");
  std::vector<std::vector<float>> v(4);
  std::vector<std::vector<uint8_t>> m(2);
  std::vector<Buffer<float>> vb;
  for (int p = 0; p < 4; ++p) {
    v[p].assign(size_t(tiny_train_params[p].size), -1.0f);
    vb.emplace_back(v[p].data(), int(v[p].size()));
  }
  m[0].assign(v[0].size(), 7);
  m[1].assign(v[2].size(), 7);
  Buffer<uint8_t> m0(m[0].data(), int(m[0].size())), m1(m[1].data(), int(m[1].size()));
  if (int e = tiny_train_init(vb[0], vb[1], vb[2], vb[3], m0, m1); e != 0) {
    std::printf("init failed: %d\n", e);
    return 1;
  }
  int kept0 = 0, kept1 = 0;
  for (uint8_t k : m[0]) kept0 += k;
  for (uint8_t k : m[1]) kept1 += k;
  std::printf("init: conv bias %g %g, dense bias %g %g %g, kept %d of %zu and %d of %zu\n",
              v[1][0], v[1][1], v[3][0], v[3][1], v[3][2], kept0, m[0].size(), kept1,
              m[1].size());

  const int n = 5, in = tiny_train_input_size, classes = tiny_train_classes;
  std::vector<float> x(size_t(n) * in);
  unsigned s = 12345;
  for (float &f : x) {
    s = s * 1103515245u + 12345u;
    f = float((s >> 8) % 1000) / 1000.0f;
  }
  std::vector<int32_t> labels{0, 2, 1, 2, 0};
  Buffer<float> xb(x.data(), in, n);
  Buffer<int32_t> lb(labels.data(), n);

  // The summed cross-entropy from the forward pass, in double.
  auto lossOf = [&]() {
    std::vector<float> out(size_t(n) * classes);
    Buffer<float> ob(out.data(), classes, n);
    if (tiny_train_forward(xb, vb[0], vb[1], vb[2], vb[3], ob) != 0)
      return NAN * 1.0;
    double total = 0;
    for (int b = 0; b < n; ++b) {
      double mx = -INFINITY, sum = 0;
      for (int c = 0; c < classes; ++c)
        mx = std::fmax(mx, out[size_t(b) * classes + c]);
      for (int c = 0; c < classes; ++c)
        sum += std::exp(out[size_t(b) * classes + c] - mx);
      total += mx + std::log(sum) - out[size_t(b) * classes + labels[size_t(b)]];
    }
    return total;
  };

  std::vector<std::vector<float>> g(4);
  std::vector<Buffer<float>> gb;
  for (int p = 0; p < 4; ++p) {
    g[p].assign(v[p].size(), 99.0f);
    gb.emplace_back(g[p].data(), int(g[p].size()));
  }
  auto loss = Buffer<double>::make_scalar();
  auto correct = Buffer<int32_t>::make_scalar();
  if (int e = tiny_train_step(xb, lb, 1, vb[0], vb[1], vb[2], vb[3], loss, correct, gb[0],
                              gb[1], gb[2], gb[3]);
      e != 0) {
    std::printf("step failed: %d\n", e);
    return 1;
  }
  double forwardLoss = lossOf();
  std::printf("step: loss sum agrees with forward %s, correct %d\n",
              std::fabs(loss() - forwardLoss) < 1e-5 * std::fmax(1.0, forwardLoss) ? "yes" : "NO",
              correct());

  double worst = 0;
  int checked = 0;
  bool maskedZero = true;
  const float h = 1e-3f;
  for (int p = 0; p < 4; ++p)
    for (size_t i = 0; i < v[p].size(); ++i) {
      const std::vector<uint8_t> *mask = p == 0 ? &m[0] : p == 2 ? &m[1] : nullptr;
      if (mask && !(*mask)[i]) {
        maskedZero &= g[p][i] == 0.0f;
        continue;
      }
      float w = v[p][i];
      v[p][i] = w + h;
      double up = lossOf();
      v[p][i] = w - h;
      double down = lossOf();
      v[p][i] = w;
      double fd = (up - down) / (2.0 * h) / n;
      worst = std::fmax(worst, std::fabs(fd - g[p][i]) / (1e-2 + std::fabs(fd)));
      ++checked;
    }
  std::printf("gradients: %d checked, max relative error %s, masked-out zero %s\n", checked,
              worst < 2e-2 ? "< 2e-2" : "TOO LARGE", maskedZero ? "yes" : "NO");
  if (worst >= 2e-2)
    std::printf("  worst %g\n", worst);

  // A gradient buffer one element short: refused with an error code.
  Buffer<float> shortGrad(g[2].data(), int(g[2].size()) - 1);
  int e = tiny_train_step(xb, lb, 1, vb[0], vb[1], vb[2], vb[3], loss, correct, gb[0], gb[1],
                          shortGrad, gb[3]);
  std::printf("short gradient buffer: %s\n", e != 0 ? "refused" : "ACCEPTED");
  return 0;
}
