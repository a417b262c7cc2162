//===- Data.h - IDX data sets (MNIST's file format) -------------*- C++ -*-===//
//
// Part of sparsec's runtime. A data directory holds MNIST-named IDX files:
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte, each optionally gzip-compressed (".gz").
// Pixels become floats in [0, 1] (value / 255).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_DATA_H
#define SPARSEC_RUNTIME_DATA_H

#include "sparsec/runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sparsec::runtime {

enum class Split { Train, Test };

struct Dataset {
  /// Where the images and labels came from (for messages).
  std::string imagesFile, labelsFile;
  int64_t count = 0;
  int64_t rows = 0, cols = 0;
  /// count x rows x cols, row-major, in [0, 1].
  std::vector<float> images;
  std::vector<int32_t> labels;

  int64_t pixels() const { return rows * cols; }
  const float *image(int64_t i) const { return images.data() + i * pixels(); }
  /// One more than the largest label.
  int32_t classes() const;
  /// The first `n` examples (all if n <= 0 or n >= count).
  void truncate(int64_t n);
};

/// Whether gzip-compressed files can be read (zlib was found at build time).
bool gzipSupported();

/// The path of a split's file in `dir`: "<dir>/<stem>" or "<dir>/<stem>.gz",
/// whichever exists (the uncompressed one if both do); empty if neither.
std::string findDataFile(const std::string &dir, const std::string &stem);

/// Reads one IDX file (plain or gzip) into its dimensions and raw bytes,
/// checking the magic number, the element type (unsigned byte) and that the
/// file holds exactly the bytes its header announces.
Status readIdx(const std::string &path, std::vector<int64_t> &dims,
               std::vector<uint8_t> &bytes);

/// Loads a split: images and labels from `dir`, checked against each other.
/// `limit` > 0 keeps only the first `limit` examples.
Status loadSplit(const std::string &dir, Split split, Dataset &out,
                 int64_t limit = 0);

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_DATA_H
