//===- SparseNNDialect.h - The snn dialect ----------------------*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_IR_SPARSENNDIALECT_H
#define SPARSEC_DIALECT_SPARSENN_IR_SPARSENNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "sparsec/Dialect/SparseNN/IR/SparseNNDialect.h.inc"

#endif // SPARSEC_DIALECT_SPARSENN_IR_SPARSENNDIALECT_H
