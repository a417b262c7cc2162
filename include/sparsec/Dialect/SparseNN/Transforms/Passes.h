//===- Passes.h - Pruning and structure passes of snn -----------*- C++ -*-===//
//
// Part of sparsec. The passes are declared in Passes.td; see there for what
// each does.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PASSES_H
#define SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PASSES_H

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace sparsec::snn {

#define GEN_PASS_DECL
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"

} // namespace sparsec::snn

#endif // SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PASSES_H
