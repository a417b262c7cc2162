//===- SparseNNDialect.cpp - The snn dialect --------------------*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Dialect/SparseNN/IR/SparseNNDialect.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"

using namespace mlir;
using namespace sparsec::snn;

#include "sparsec/Dialect/SparseNN/IR/SparseNNDialect.cpp.inc"

void SparseNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.cpp.inc"
      >();
  registerAttributes();
}
