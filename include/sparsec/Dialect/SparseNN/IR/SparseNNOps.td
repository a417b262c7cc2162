//===- SparseNNOps.td - The snn dialect's operations -------*- tablegen -*-===//
//
// Part of sparsec. The generic form of these ops is a public interface:
// users' files and outside tests rely on it. Extend it; never break it.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_IR_SPARSENNOPS_TD
#define SPARSEC_DIALECT_SPARSENN_IR_SPARSENNOPS_TD

include "sparsec/Dialect/SparseNN/IR/SparseNNAttrs.td"
include "sparsec/Dialect/SparseNN/IR/SparseNNBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

def SparseNN_MaskOp : SparseNN_Op<"mask"> {
  let summary = "a pruned weight: elements where the mask is false are zero";
  let description = [{
    `snn.mask` marks a weight as pruned. Its result equals `weight` where
    `mask` is true and is exactly zero elsewhere. Pruned elements stay zero
    through fine-tuning unless regrowth is asked for. A weight used without a
    mask is dense.

    ```mlir
    %p = "snn.mask"(%w, %m) : (tensor<6x1x5x5xf32>, tensor<6x1x5x5xi1>) -> tensor<6x1x5x5xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$weight, SparseNN_MaskTensor:$mask);
  let results = (outs SparseNN_Tensor:$output);
}

//===----------------------------------------------------------------------===//
// Affine layers
//===----------------------------------------------------------------------===//

def SparseNN_DenseOp : SparseNN_Op<"dense"> {
  let summary = "fully connected layer: y = x * transpose(w) + b";
  let description = [{
    Like PyTorch's `nn.Linear`: `input` is N x K, `weight` is M x K, the
    optional `bias` has M elements and the result is N x M. The optional
    `format` (`#snn.format<...>`) says how code generation computes it.

    ```mlir
    %y = "snn.dense"(%x, %w, %b) : (tensor<1x784xf32>, tensor<300x784xf32>, tensor<300xf32>) -> tensor<1x300xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input, SparseNN_Tensor:$weight,
                       Optional<SparseNN_Tensor>:$bias,
                       OptionalAttr<SparseNN_FormatAttr>:$format);
  let results = (outs SparseNN_Tensor:$output);
}

def SparseNN_Conv2DOp : SparseNN_Op<"conv2d"> {
  let summary = "2-D convolution over an NCHW input";
  let description = [{
    Like PyTorch's `nn.Conv2d` (cross-correlation). `input` is N x C x H x W,
    `weight` is O x (C/groups) x KH x KW, the optional `bias` has O elements.
    Attributes are optional and default to `strides = [1, 1]`,
    `padding = [0, 0, 0, 0]` (top, left, bottom, right; a 2-element
    `[ph, pw]` pads both sides), `dilations = [1, 1]`, `groups = 1`.
    With `groups = C = O` the convolution is depthwise. The optional
    `format` (`#snn.format<...>`) says how code generation computes it.

    ```mlir
    %y = "snn.conv2d"(%x, %w, %b) {strides = array<i64: 1, 1>,
           padding = array<i64: 2, 2, 2, 2>, dilations = array<i64: 1, 1>,
           groups = 1 : i64}
         : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<6xf32>) -> tensor<1x6x28x28xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input, SparseNN_Tensor:$weight,
                       Optional<SparseNN_Tensor>:$bias,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$padding,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       OptionalAttr<I64Attr>:$groups,
                       OptionalAttr<SparseNN_FormatAttr>:$format);
  let results = (outs SparseNN_Tensor:$output);
  let extraClassDeclaration = [{
    /// The attributes with their defaults filled in; padding is always
    /// {top, left, bottom, right}.
    std::array<int64_t, 2> getStrideValues();
    std::array<int64_t, 4> getPaddingValues();
    std::array<int64_t, 2> getDilationValues();
    int64_t getGroupCount();
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class SparseNN_Pool2DOp<string mnemonic> : SparseNN_Op<mnemonic> {
  let results = (outs SparseNN_Tensor:$output);
  let extraClassDeclaration = [{
    /// The attributes with their defaults filled in: strides default to the
    /// kernel, padding is always {top, left, bottom, right}.
    std::array<int64_t, 2> getKernelValues();
    std::array<int64_t, 2> getStrideValues();
    std::array<int64_t, 4> getPaddingValues();
    std::array<int64_t, 2> getDilationValues();
    bool getCeilModeValue();
  }];
}

def SparseNN_MaxPool2DOp : SparseNN_Pool2DOp<"maxpool2d"> {
  let summary = "2-D max pooling over an NCHW input";
  let description = [{
    Like PyTorch's `nn.MaxPool2d`. `kernel` is required; `strides` default to
    the kernel, `padding` (top, left, bottom, right, or `[ph, pw]`) to zero,
    `dilations` to one and `ceil_mode` to false. Padded positions never win.
    Each padding must be at most half the kernel, as in PyTorch.

    ```mlir
    %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
         : (tensor<1x6x28x28xf32>) -> tensor<1x6x14x14xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input,
                       DenseI64ArrayAttr:$kernel,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$padding,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       OptionalAttr<BoolAttr>:$ceil_mode);
}

def SparseNN_AvgPool2DOp : SparseNN_Pool2DOp<"avgpool2d"> {
  let summary = "2-D average pooling over an NCHW input";
  let description = [{
    Like PyTorch's `nn.AvgPool2d`. `kernel` is required; `strides` default to
    the kernel, `padding` to zero, `ceil_mode` to false and
    `count_include_pad` to true (padded zeros count in the divisor).

    ```mlir
    %y = "snn.avgpool2d"(%x) {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>,
           padding = array<i64: 1, 1, 1, 1>, count_include_pad = false}
         : (tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input,
                       DenseI64ArrayAttr:$kernel,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$padding,
                       OptionalAttr<BoolAttr>:$ceil_mode,
                       OptionalAttr<BoolAttr>:$count_include_pad);
  let extraClassDeclaration = [{
    std::array<int64_t, 2> getKernelValues();
    std::array<int64_t, 2> getStrideValues();
    std::array<int64_t, 4> getPaddingValues();
    std::array<int64_t, 2> getDilationValues();
    bool getCeilModeValue();
    bool getCountIncludePadValue();
  }];
}

def SparseNN_GlobalAvgPoolOp : SparseNN_Op<"global_avgpool"> {
  let summary = "mean over the spatial dimensions: N x C x H x W -> N x C x 1 x 1";
  let description = [{
    Like PyTorch's `nn.AdaptiveAvgPool2d(1)`.

    ```mlir
    %y = "snn.global_avgpool"(%x) : (tensor<1x1024x7x7xf32>) -> tensor<1x1024x1x1xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input);
  let results = (outs SparseNN_Tensor:$output);
}

//===----------------------------------------------------------------------===//
// Element-wise and shape ops
//===----------------------------------------------------------------------===//

class SparseNN_UnaryOp<string mnemonic, string fn> : SparseNN_Op<mnemonic> {
  let summary = "element-wise " # fn;
  let description = "Applies " # fn # [{ to every element; the result has the
    input's shape.

    ```mlir
    %y = "snn.}] # mnemonic # [{"(%x) : (tensor<1x120xf32>) -> tensor<1x120xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input);
  let results = (outs SparseNN_Tensor:$output);
}

def SparseNN_ReluOp : SparseNN_UnaryOp<"relu", "max(x, 0)">;
def SparseNN_SigmoidOp : SparseNN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def SparseNN_TanhOp : SparseNN_UnaryOp<"tanh", "tanh(x)">;

def SparseNN_DropoutOp : SparseNN_Op<"dropout"> {
  let summary = "dropout: random zeroing in training, identity in inference";
  let description = [{
    Like PyTorch's `nn.Dropout(rate)`. Inference (`sparsec run`, `compile`)
    treats it as the identity; training zeroes each element with probability
    `rate` and scales the survivors by 1 / (1 - rate).

    ```mlir
    %y = "snn.dropout"(%x) {rate = 5.000000e-01 : f32} : (tensor<1x300xf32>) -> tensor<1x300xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input, F32Attr:$rate);
  let results = (outs SparseNN_Tensor:$output);
}

def SparseNN_FlattenOp : SparseNN_Op<"flatten"> {
  let summary = "row-major flatten: N x C x H x W -> N x (C*H*W)";
  let description = [{
    Keeps the first dimension and flattens the rest in row-major order, like
    PyTorch's `torch.flatten(x, 1)`.

    ```mlir
    %y = "snn.flatten"(%x) : (tensor<1x16x5x5xf32>) -> tensor<1x400xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input);
  let results = (outs SparseNN_Tensor:$output);
}

def SparseNN_SoftmaxOp : SparseNN_Op<"softmax"> {
  let summary = "softmax over the last dimension";
  let description = [{
    ```mlir
    %y = "snn.softmax"(%x) : (tensor<1x10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input);
  let results = (outs SparseNN_Tensor:$output);
}

def SparseNN_AddOp : SparseNN_Op<"add"> {
  let summary = "element-wise sum of two tensors of the same shape";
  let description = [{
    The residual connection.

    ```mlir
    %y = "snn.add"(%a, %b) : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$lhs, SparseNN_Tensor:$rhs);
  let results = (outs SparseNN_Tensor:$output);
}

def SparseNN_BatchNormOp : SparseNN_Op<"batchnorm"> {
  let summary = "inference batch normalisation over channels";
  let description = [{
    Like PyTorch's `nn.BatchNorm2d` / `nn.BatchNorm1d` in eval mode:
    `y = (x - mean) / sqrt(var + epsilon) * scale + shift`, per channel
    (dimension 1). `input` is N x C x H x W or N x C; the other operands have C
    elements. `epsilon` defaults to 1e-5.

    ```mlir
    %y = "snn.batchnorm"(%x, %scale, %shift, %mean, %var) {epsilon = 1.0e-05 : f32}
         : (tensor<1x6x28x28xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x28x28xf32>
    ```
  }];
  let arguments = (ins SparseNN_Tensor:$input, SparseNN_Tensor:$scale,
                       SparseNN_Tensor:$shift, SparseNN_Tensor:$mean,
                       SparseNN_Tensor:$var, OptionalAttr<F32Attr>:$epsilon);
  let results = (outs SparseNN_Tensor:$output);
  let extraClassDeclaration = [{
    float getEpsilonValue();
  }];
}

#endif // SPARSEC_DIALECT_SPARSENN_IR_SPARSENNOPS_TD
