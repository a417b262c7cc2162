//===- mnist-classify.cpp - The pruned LeNet-5 on the MNIST test set ------===//
//
// Part of sparsec's examples. Links the object `sparsec compile` wrote for
// examples/mnist/lenet5-pruned.mlir (a LeNet-5 that `sparsec train` trained
// and pruned to 95 %) and sparsec's runtime, which reads the IDX files.
//
//   mnist-classify DIR [--limit N]
//
// DIR holds t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (or .gz), as
// `bash .ci/fetch-data.sh mnist` leaves them in .cache/data/mnist. Prints the
// accuracy and the median and mean latency of one image.
//
//===----------------------------------------------------------------------===//

#include "lenet5_mnist.h"

#include <sparsec/runtime/Data.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "--limit")) {
    std::fprintf(stderr, "usage: %s DIR [--limit N]\n", argv[0]);
    return 2;
  }
  long limit = 0;
  if (argc == 4) {
    char *end = nullptr;
    limit = std::strtol(argv[3], &end, 10);
    if (*end != '\0' || limit <= 0) {
      std::fprintf(stderr, "--limit: expected a positive number, not '%s'\n", argv[3]);
      return 2;
    }
  }
  sparsec::runtime::Dataset test;
  sparsec::runtime::Status st =
      sparsec::runtime::loadSplit(argv[1], sparsec::runtime::Split::Test, test, limit);
  if (!st) {
    std::fprintf(stderr, "error: %s\n", st.message().c_str());
    return 1;
  }
  if (test.pixels() != lenet5_input_size) {
    std::fprintf(stderr, "error: %s holds %lldx%lld images; the network takes %d pixels\n",
                 test.imagesFile.c_str(), (long long)test.rows, (long long)test.cols,
                 lenet5_input_size);
    return 1;
  }
  std::array<float, lenet5_output_size> scores;
  std::vector<double> micros;
  micros.reserve(test.count);
  long correct = 0;
  for (int64_t i = 0; i < test.count; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    int err = lenet5(test.image(i), scores.data());
    auto t1 = std::chrono::steady_clock::now();
    if (err != 0) {
      std::fprintf(stderr, "error: lenet5 returned %d on image %lld\n", err, (long long)i);
      return 1;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    int best = int(std::max_element(scores.begin(), scores.end()) - scores.begin());
    correct += best == test.labels[i];
  }
  double mean = 0;
  for (double m : micros)
    mean += m;
  mean /= double(micros.size());
  std::nth_element(micros.begin(), micros.begin() + micros.size() / 2, micros.end());
  std::printf("%lld images of %s\n", (long long)test.count, test.imagesFile.c_str());
  std::printf("accuracy: %.4f (%ld correct)\n", double(correct) / double(test.count), correct);
  std::printf("latency per image: median %.1f us, mean %.1f us\n", micros[micros.size() / 2],
              mean);
  return 0;
}
