//===- PruneOptions.h - What snn-prune is asked to do -----------*- C++ -*-===//
//
// Part of sparsec. `snn-prune` takes its settings as strings (pass options,
// `sparsec prune` flags); this parses and checks them once for both, with
// messages that start with the option's name.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PRUNEOPTIONS_H
#define SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PRUNEOPTIONS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace sparsec::snn {

struct PruneSettings {
  enum class Granularity { Unstructured, NM, Block, Channel };
  enum class Criterion { Magnitude, L1, L2, Taylor };

  double sparsity = 0.5;
  Granularity granularity = Granularity::Unstructured;
  /// N:M (granularity NM) or R x C (granularity Block).
  int64_t n = 0, m = 0;
  int64_t blockRows = 0, blockCols = 0;
  Criterion criterion = Criterion::Magnitude;
  bool global = false;
  std::string calibration, labels;
};

/// Parses `granularity`: unstructured, channel, N:M (0 < N < M) or RxC.
llvm::Error parseGranularity(llvm::StringRef text, PruneSettings &settings);

/// Checks and parses every setting but the layer exclusions (which need the
/// network). The error message begins with the offending option's name, e.g.
/// "sparsity must be in [0, 1), but is 1.5".
llvm::Expected<PruneSettings>
parsePruneSettings(double sparsity, llvm::StringRef granularity,
                   llvm::StringRef criterion, llvm::StringRef scope,
                   llvm::StringRef calibration, llvm::StringRef labels);

} // namespace sparsec::snn

#endif // SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PRUNEOPTIONS_H
