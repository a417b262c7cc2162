//===- classify.cpp - Run the compiled LeNet-5 on 28x28 images --------------===//
//
// Part of sparsec's examples. Links the object `sparsec compile` wrote for
// examples/lenet5/net.mlir (the Halide runtime is inside it) and nothing but
// libpthread, libdl and libm.
//
//   lenet5-classify image.f32 [image.f32 ...]
//
// Each image is 784 raw little-endian floats. Prints the ten class scores,
// the predicted class and the median latency of 101 runs.
//
//===----------------------------------------------------------------------===//

#include "lenet5.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

bool readImage(const char *path, std::array<float, lenet5_input_size> &image) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (!in && !in.eof())
    return false;
  if (bytes.size() != sizeof image)
    return false;
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char *>(image.data()));
  return true;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s image.f32 [image.f32 ...]\n", argv[0]);
    return 2;
  }
  std::array<float, lenet5_input_size> image;
  std::array<float, lenet5_output_size> scores;
  for (int i = 1; i < argc; ++i) {
    if (!readImage(argv[i], image)) {
      std::fprintf(stderr, "%s: expected %d floats (a 28x28 image)\n", argv[i],
                   lenet5_input_size);
      return 2;
    }
    std::vector<double> micros;
    for (int run = 0; run < 101; ++run) {
      auto t0 = std::chrono::steady_clock::now();
      int err = lenet5(image.data(), scores.data());
      auto t1 = std::chrono::steady_clock::now();
      if (err != 0) {
        std::fprintf(stderr, "lenet5 returned error %d\n", err);
        return 1;
      }
      micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::nth_element(micros.begin(), micros.begin() + 50, micros.end());
    std::printf("%s:", argv[i]);
    for (float s : scores)
      std::printf(" %.6g", s);
    auto best = std::max_element(scores.begin(), scores.end()) - scores.begin();
    std::printf("\n  class %td, median latency %.1f us over %zu runs\n", best,
                micros[50], micros.size());
  }
  return 0;
}
