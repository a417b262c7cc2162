//===- SparseNNAttrs.td - Attributes of the snn dialect ----*- tablegen -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_IR_SPARSENNATTRS_TD
#define SPARSEC_DIALECT_SPARSENN_IR_SPARSENNATTRS_TD

include "sparsec/Dialect/SparseNN/IR/SparseNNBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SparseNN_FormatKind : I32EnumAttr<"FormatKind",
    "how a layer's weights are stored and computed", [
      I32EnumAttrCase<"Dense", 0, "dense">,
      I32EnumAttrCase<"CSR", 1, "csr">,
      I32EnumAttrCase<"NM", 2, "nm">,
      I32EnumAttrCase<"Block", 3, "block">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::sparsec::snn";
}

def SparseNN_FormatAttr : AttrDef<SparseNN_Dialect, "Format"> {
  let mnemonic = "format";
  let summary = "the kernel format chosen for a layer's weight";
  let description = [{
    Says how code generation computes a `snn.dense` or `snn.conv2d`:

    - `#snn.format<dense>`: every weight, pruned or not, in a blocked GEMM or
      direct convolution.
    - `#snn.format<csr>`: only the nonzeros, row by row (output channel by
      output channel), with the dense dimension vectorised.
    - `#snn.format<nm, N, M>`: at most N nonzeros in every group of M
      consecutive weights along the input dimension (e.g. 2:4).
    - `#snn.format<block, R, C>`: nonzeros come in R x C blocks of
      (output, input) weights; zero blocks are skipped.

    `snn-select-format` sets it from a cost model; a user may set it by hand.
    The pattern a format promises is checked against the weight by the tools
    (`sparsec verify`), since it depends on the weight's values.
  }];
  let parameters = (ins EnumParameter<SparseNN_FormatKind>:$kind,
                        OptionalArrayRefParameter<"int64_t">:$params);
  let assemblyFormat = "`<` $kind (`,` $params^)? `>`";
  let genVerifyDecl = 1;
}

#endif // SPARSEC_DIALECT_SPARSENN_IR_SPARSENNATTRS_TD
