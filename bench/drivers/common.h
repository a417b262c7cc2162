//===- common.h - Shared plumbing of the peer drivers -----------*- C++ -*-===//
//
// Every driver is one small program: it reads a case written by
// bench/harness/data.py, prepares the peer's own data structures outside the
// timed region, times the kernel, writes the output in the canonical layout
// (N x M for FC, 1 x M x OH x OW for conv) and prints one JSON line. The
// harness, not the driver, decides whether the output is right.
//
//===----------------------------------------------------------------------===//
#ifndef BENCH_DRIVERS_COMMON_H
#define BENCH_DRIVERS_COMMON_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bench {

/// One layer + one sparsity pattern, as data.py wrote it.
struct Case {
  std::string name, kind; // kind: "fc" or "conv"
  int64_t M = 0, K = 0, N = 0; // W is M x K (K = reduction length), N columns
  int64_t C = 0, H = 0, W = 0, KH = 1, KW = 1, pad = 0, groups = 1, OH = 1,
          OW = 1;
  std::vector<float> w;       // raw weights, OIHW / M x K
  std::vector<uint8_t> mask;  // 0/1, same order
  std::vector<float> wm;      // w * mask: what every system computes with
  std::vector<float> x;       // N x K (FC) or C x H x W (conv)
  int64_t nnz = 0;

  bool isFC() const { return kind == "fc"; }
  bool isPointwise() const {
    return kind == "conv" && KH == 1 && KW == 1 && groups == 1 && pad == 0;
  }
  size_t outSize() const { return size_t(M) * size_t(N); }
};

/// Compressed rows of the masked weights: exactly the mask's nonzeros.
struct CSR {
  std::vector<int32_t> rowptr, col;
  std::vector<float> val;
};

struct Options {
  std::string caseDir, out, variant;
  // Whole networks (bench/harness/e2e.py): a raw f32 input file and the
  // number of output floats, instead of a --case.
  std::string input;
  int64_t outputCount = 0;
  int threads = 1;
  int samples = 15;        // timed samples (each a median candidate)
  double minSampleS = 2e-4; // a sample repeats the kernel until this long
  double maxTotalS = 3.0;   // stop sampling after this (at least 3 samples)
  double warmupS = 0.05;    // untimed calls first, at least two and this long
};

struct Stats {
  double median = 0, p25 = 0, p75 = 0, min = 0;
  int samples = 0, inner = 0;
  std::vector<double> perCall; // every sample, so the harness can pool rounds
};

Options parseArgs(int argc, char **argv);
Case loadCase(const std::string &dir);
CSR toCSR(const Case &c);

/// x (C x H x W) -> columns (C*KH*KW) x (OH*OW) for groups == 1.
void im2col(const Case &c, const float *x, float *cols);

/// Row-major transpose: in is rows x cols.
std::vector<float> transpose(const std::vector<float> &in, int64_t rows,
                             int64_t cols);

/// Warm up, then time `fn` (which must leave its result in place).
Stats measure(const Options &o, const std::function<void()> &fn);

void writeOutput(const Options &o, const float *y, size_t n);
std::vector<float> readFloats(const std::string &path);

/// The driver's single line of JSON on stdout.
void reportOK(const Stats &s, const std::string &info);
[[noreturn]] void reportNA(const std::string &reason);
[[noreturn]] void fail(const std::string &message);

} // namespace bench

#endif // BENCH_DRIVERS_COMMON_H
