//===- Workspace.h - Intermediate tensors in one persistent block -*- C++ -*-===//
//
// Part of sparsec. Private to lib/Conversion/SNNToHalide.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_LIB_CONVERSION_SNNTOHALIDE_WORKSPACE_H
#define SPARSEC_LIB_CONVERSION_SNNTOHALIDE_WORKSPACE_H

#include <Halide.h>

#include <cstdint>
#include <string>

namespace sparsec::halide {

struct Workspace {
  /// Bytes of the block; 0 when the pipeline needs none.
  int64_t bytes = 0;
  /// The module buffer (0-dimensional, hence mutable) whose 8 bytes cache the
  /// block between calls.
  std::string slot;
  /// Allocations moved into the block, and how many bytes they would have
  /// taken one after another.
  int placed = 0;
  int64_t unsharedBytes = 0;
};

/// Moves every constant-size heap allocation of `pipeline` (a function of
/// `module`) that is not inside a parallel loop into one workspace, at
/// offsets packed by the allocations' lifetimes. The workspace's address is
/// the pipeline's Handle argument `argument`. Adds the slot buffer and the
/// runtime bitcode that manages the block to the module; the runtime also
/// when `parallel` (it holds the parallel loop runner), even without a
/// workspace.
Workspace placeInWorkspace(Halide::Module &module, const std::string &pipeline,
                           const std::string &argument,
                           const std::string &network, bool parallel);

} // namespace sparsec::halide

#endif // SPARSEC_LIB_CONVERSION_SNNTOHALIDE_WORKSPACE_H
