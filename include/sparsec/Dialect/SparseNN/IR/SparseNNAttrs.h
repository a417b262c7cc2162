//===- SparseNNAttrs.h - Attributes of the snn dialect ----------*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_IR_SPARSENNATTRS_H
#define SPARSEC_DIALECT_SPARSENN_IR_SPARSENNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "sparsec/Dialect/SparseNN/IR/SparseNNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sparsec/Dialect/SparseNN/IR/SparseNNAttrs.h.inc"

#endif // SPARSEC_DIALECT_SPARSENN_IR_SPARSENNATTRS_H
