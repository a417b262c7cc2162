//===- EntryPoints.h - The C functions a compiled network exports -*- C++ -*-===//
//
// Part of sparsec. Private to lib/Conversion/SNNToHalide.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_LIB_CONVERSION_SNNTOHALIDE_ENTRYPOINTS_H
#define SPARSEC_LIB_CONVERSION_SNNTOHALIDE_ENTRYPOINTS_H

#include "Workspace.h"

#include "llvm/ADT/ArrayRef.h"

#include <Halide.h>

#include <string>

namespace sparsec::halide {

/// Adds `int name(const float *, float *)` and the checked
/// `int name_buffer(halide_buffer_t *, halide_buffer_t *)` to `module`, both
/// calling the pipeline function `pipeline(workspace, input, output)` (which
/// must be in the module) with the network's cached workspace. The caller's
/// tensors have `inputShape` and `outputShape`; the pipeline sees the same
/// dense memory as `inputView` and `outputView`.
void addEntryPoints(Halide::Module &module, const std::string &name,
                    const std::string &pipeline,
                    llvm::ArrayRef<int64_t> inputShape,
                    llvm::ArrayRef<int64_t> outputShape,
                    llvm::ArrayRef<int64_t> inputView,
                    llvm::ArrayRef<int64_t> outputView, int threads,
                    const Workspace &workspace);

} // namespace sparsec::halide

#endif // SPARSEC_LIB_CONVERSION_SNNTOHALIDE_ENTRYPOINTS_H
