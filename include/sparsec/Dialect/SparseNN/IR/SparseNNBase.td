//===- SparseNNBase.td - The snn dialect and its op base class -*- tablegen -*-===//
//
// Part of sparsec. The `snn` dialect describes pruned neural networks: layers
// over f32 tensors whose weights may carry i1 pruning masks.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_IR_SPARSENNBASE_TD
#define SPARSEC_DIALECT_SPARSENN_IR_SPARSENNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def SparseNN_Dialect : Dialect {
  let name = "snn";
  let cppNamespace = "::sparsec::snn";
  let summary = "Pruned neural networks over f32 tensors";
  let description = [{
    The `snn` dialect describes an inference network as a `func.func` with one
    input and one result. Layers follow the semantics of the PyTorch modules of
    the same name. Activations are NCHW (4-D) or N x F (2-D); every tensor has a
    static shape and f32 elements. Weights are `arith.constant` values; a
    pruned weight is wrapped in `snn.mask`, whose i1 mask says which elements
    survive:

    ```mlir
    %w = arith.constant dense<...> : tensor<10x84xf32>
    %m = arith.constant dense<...> : tensor<10x84xi1>
    %p = "snn.mask"(%w, %m) : (tensor<10x84xf32>, tensor<10x84xi1>) -> tensor<10x84xf32>
    %y = "snn.dense"(%x, %p) : (tensor<1x84xf32>, tensor<10x84xf32>) -> tensor<1x10xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

/// Every snn op derives from this class; all of them are side-effect free.
class SparseNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<SparseNN_Dialect, mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
  let assemblyFormat = [{
    operands attr-dict `:` functional-type(operands, results)
  }];
}

/// A statically shaped f32 tensor: activations and weights.
def SparseNN_Tensor : StaticShapeTensorOf<[F32]>;

/// A statically shaped i1 tensor: pruning masks.
def SparseNN_MaskTensor : StaticShapeTensorOf<[I1]>;

#endif // SPARSEC_DIALECT_SPARSENN_IR_SPARSENNBASE_TD
