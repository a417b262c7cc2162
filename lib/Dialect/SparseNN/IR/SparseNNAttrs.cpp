//===- SparseNNAttrs.cpp - Attributes of the snn dialect --------*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Dialect/SparseNN/IR/SparseNNAttrs.h"
#include "sparsec/Dialect/SparseNN/IR/SparseNNDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sparsec::snn;

#include "sparsec/Dialect/SparseNN/IR/SparseNNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sparsec/Dialect/SparseNN/IR/SparseNNAttrs.cpp.inc"

LogicalResult FormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 FormatKind kind, ArrayRef<int64_t> params) {
  switch (kind) {
  case FormatKind::Dense:
  case FormatKind::CSR:
    if (!params.empty())
      return emitError() << "#snn.format<" << stringifyFormatKind(kind)
                         << "> takes no parameters, but has "
                         << params.size();
    return success();
  case FormatKind::NM:
    if (params.size() != 2)
      return emitError() << "#snn.format<nm, N, M> takes 2 parameters, but "
                            "has "
                         << params.size();
    if (params[0] < 1 || params[1] <= params[0])
      return emitError() << "#snn.format<nm, N, M> needs 0 < N < M, but has N = "
                         << params[0] << ", M = " << params[1];
    return success();
  case FormatKind::Block:
    if (params.size() != 2)
      return emitError() << "#snn.format<block, R, C> takes 2 parameters, "
                            "but has "
                         << params.size();
    if (params[0] < 1 || params[1] < 1)
      return emitError() << "#snn.format<block, R, C> needs positive block "
                            "sizes, but has "
                         << params[0] << "x" << params[1];
    return success();
  }
  return emitError() << "unknown kernel format";
}

void SparseNNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sparsec/Dialect/SparseNN/IR/SparseNNAttrs.cpp.inc"
      >();
}
