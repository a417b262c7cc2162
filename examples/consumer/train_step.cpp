// train-step: one SGD step on one image with the training step that
// sparsec_add_network(... TRAIN) compiled, from the network's own weights.
// Prints the loss for the given label before and after the step.
#include "lenet5_train.h"

#include <HalideBuffer.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

using Halide::Runtime::Buffer;

static void onError(void *, const char *msg) { std::fprintf(stderr, "halide: %s\n", msg); }

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s image.f32 label\n", argv[0]);
    return 2;
  }
  halide_set_error_handler(onError);
  std::vector<float> image(lenet5_train_input_size);
  FILE *f = std::fopen(argv[1], "rb");
  if (!f || std::fread(image.data(), sizeof(float), image.size(), f) != image.size()) {
    std::fprintf(stderr, "%s: cannot read %d floats\n", argv[1], lenet5_train_input_size);
    return 2;
  }
  std::fclose(f);
  int32_t label = std::atoi(argv[2]);

  // The network's parameters and masks as compiled (examples/lenet5/net.mlir:
  // five layers, each weight masked).
  static_assert(lenet5_train_param_count == 10 && lenet5_train_masked_count == 5,
                "the calls below list examples/lenet5's parameters");
  std::vector<std::vector<float>> w(10), g(10);
  std::vector<std::vector<uint8_t>> m(5);
  std::vector<Buffer<float>> wb, gb;
  std::vector<Buffer<uint8_t>> mb;
  for (int p = 0; p < 10; ++p) {
    w[p].resize(size_t(lenet5_train_params[p].size));
    g[p].resize(w[p].size());
    wb.emplace_back(w[p].data(), int(w[p].size()));
    gb.emplace_back(g[p].data(), int(g[p].size()));
  }
  for (int k = 0; k < 5; ++k) {
    m[k].resize(w[2 * k].size());
    mb.emplace_back(m[k].data(), int(m[k].size()));
  }
  if (lenet5_train_init(wb[0], wb[1], wb[2], wb[3], wb[4], wb[5], wb[6], wb[7], wb[8], wb[9],
                        mb[0], mb[1], mb[2], mb[3], mb[4]) != 0)
    return 1;

  Buffer<float> x(image.data(), lenet5_train_input_size, 1);
  Buffer<int32_t> y(&label, 1);
  auto loss = Buffer<double>::make_scalar();
  auto correct = Buffer<int32_t>::make_scalar();
  auto step = [&]() {
    return lenet5_train_step(x, y, 0, wb[0], wb[1], wb[2], wb[3], wb[4], wb[5], wb[6], wb[7],
                             wb[8], wb[9], loss, correct, gb[0], gb[1], gb[2], gb[3], gb[4],
                             gb[5], gb[6], gb[7], gb[8], gb[9]);
  };
  if (step() != 0)
    return 1;
  double before = loss();
  // Masked-out weights have zero gradients: they stay zero.
  for (int p = 0; p < 10; ++p)
    for (size_t i = 0; i < w[p].size(); ++i)
      w[p][i] -= 0.1f * g[p][i];
  if (step() != 0)
    return 1;
  std::printf("loss for label %d: %.6f before, %.6f after one step (%s)\n", label, before,
              loss(), loss() < before ? "lower" : "NOT LOWER");
  return 0;
}
