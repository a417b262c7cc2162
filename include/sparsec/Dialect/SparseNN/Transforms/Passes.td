//===- Passes.td - Pruning and structure passes of snn -----*- tablegen -*-===//
//
// Part of sparsec. Every pass works on one network function (see
// `sparsec::verifyNetwork`) and checks it first, so that a malformed file is
// a diagnostic rather than a crash. Passes that change a weight's shape drop
// its `format` attribute: run `snn-select-format` last.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PASSES_TD
#define SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SNNPrunePass : Pass<"snn-prune", "::mlir::func::FuncOp"> {
  let summary = "Prune the weights of dense and conv2d layers";
  let description = [{
    One-shot pruning: adds an `snn.mask` to every included layer's weight, or
    tightens the mask it already has. A weight that is already pruned stays
    pruned, and pruned weights keep their stored values: only the mask
    changes.

    Weights are scored in groups and the lowest-scoring groups are pruned.
    The groups follow `granularity`, over each output unit's *row*: the
    flattened reduction dimension (dense: K; conv2d: C/groups x KH x KW,
    row-major):

    - `unstructured`: every weight on its own;
    - `N:M` (e.g. `2:4`): in every run of M consecutive weights of a row, the
      N best survive (a short last run keeps up to N); `sparsity` is implied;
    - `RxC` (e.g. `4x1`): blocks of R output units by C consecutive row
      elements;
    - `channel`: whole output channels / neurons (filter pruning).

    The score of a group follows `criterion`, on the effective (masked)
    weights: `magnitude` (mean |w|), `l1` (sum |w|), `l2` (sqrt of sum w^2), or
    `taylor`, the first-order Taylor estimate of the loss change when the
    group is removed, averaged over calibration samples s:
    mean_s |sum_{i in group} w_i dL_s/dw_i|. Taylor needs `calibration`, a raw
    little-endian f32 file holding one or more copies of the network's input
    tensor; `labels` optionally holds one little-endian int32 class index per
    batch row of every copy (without it, the network's own argmax is the
    target). The loss is softmax cross-entropy on the network's N x F output,
    or the negative log-likelihood when the network already ends in
    `snn.softmax`.

    With `scope=layer` each layer is pruned to `sparsity` on its own; with
    `scope=global` one threshold is chosen across all included layers so that
    `sparsity` of all their weights is pruned. Groups are pruned in ascending
    score order (ties: the later group first) while doing so brings the count
    of pruned weights closer to the target; weights already pruned count
    towards it. `exclude` names layers to leave alone: indices as
    `sparsec stats` prints them, `first` or `last` (the first and last dense
    or conv2d layer).

    ```
    sparsec-opt net.mlir --snn-prune="sparsity=0.9 granularity=4x1 criterion=l2 exclude=first,last"
    ```
  }];
  let options = [
    Option<"sparsity", "sparsity", "double", "0.5",
           "Fraction of the weights that is pruned afterwards, in [0, 1)">,
    Option<"granularity", "granularity", "std::string", "\"unstructured\"",
           "unstructured, channel, N:M (e.g. 2:4) or RxC (e.g. 4x1)">,
    Option<"criterion", "criterion", "std::string", "\"magnitude\"",
           "magnitude, l1, l2 or taylor">,
    Option<"scope", "scope", "std::string", "\"layer\"",
           "layer (each layer to the sparsity) or global (one threshold)">,
    ListOption<"exclude", "exclude", "std::string",
               "Layers left alone: stats indices, first, last">,
    Option<"calibration", "calibration", "std::string", "\"\"",
           "Raw f32 file of input tensors for the taylor criterion">,
    Option<"labels", "labels", "std::string", "\"\"",
           "Raw int32 file of class labels, one per calibration batch row">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SNNEliminateDeadPass : Pass<"snn-eliminate-dead", "::mlir::func::FuncOp"> {
  let summary = "Remove output units that pruning made constant or unread";
  let description = [{
    Removes the output channels / neurons of dense and conv2d layers that are
    constant (their whole filter is pruned: the output is the bias) or that
    nothing reads (every consumer's weights for them are zero), together with
    the matching channels of every op in between (relu, sigmoid, tanh,
    dropout, batchnorm, max / average / global pooling, depthwise conv2d,
    add) and the matching input channels or flattened column blocks of every
    consuming dense or conv2d layer.

    A removed constant unit's contribution to a consumer is folded into the
    consumer's bias, so the function is unchanged. This is done only where it
    is exact: a consumer conv2d whose padding would read zeros instead of the
    constant, or an average pool that counts padding, keeps the unit. An add
    loses a channel only when both operands lose it. Channels of the
    network's input and result are never removed. Layers whose every output
    is constant are folded into their bias (all weights pruned), which
    leaves the layers before them unread; a chain reduced that way keeps one
    unit per layer, since tensors keep non-zero sizes.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SNNFoldBatchNormPass : Pass<"snn-fold-batchnorm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference batchnorm into the preceding dense or conv2d";
  let description = [{
    `batchnorm(layer(x))` becomes `layer'(x)` with every output unit's weights
    scaled by scale / sqrt(var + epsilon) and the bias adjusted, when the
    layer's result has no other use. Masks are kept.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SNNMergeLinearPass : Pass<"snn-merge-linear", "::mlir::func::FuncOp"> {
  let summary = "Merge two affine layers with nothing non-linear between them";
  let description = [{
    `dense(dense(x))` (with at most dropout between) becomes one dense layer
    whose weight is the product of the two; `conv2d(conv2d(x))` becomes one
    conv2d when the second has no padding and neither is grouped (the merged
    kernel spans both windows; strides multiply). The first layer's result
    must have no other use. The merge happens only when the merged layer needs
    fewer multiply-accumulates after sparsity than the two layers (weights
    that are structurally zero in the product are masked), unless `always` is
    set.
  }];
  let options = [
    Option<"always", "always", "bool", "false",
           "Merge whenever the composition is exact, even if it costs more "
           "MACs (used to test the composition)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SNNLowRankPass : Pass<"snn-low-rank", "::mlir::func::FuncOp"> {
  let summary = "Factor dense layers into two layers of lower rank";
  let description = [{
    Replaces `dense(x, W, b)` (W: M x K) by `dense(dense(x, Vt), U*S, b)` with
    the rank-r truncated SVD of the effective weight, when r * (M + K) is
    smaller than the nonzeros of W. The rank is `rank` if given, else the
    smallest r whose singular values keep `energy` of the sum of squared
    singular values. The SVD is one-sided Jacobi in double precision. This
    changes the function unless the kept rank is the weight's full rank.
  }];
  let options = [
    Option<"energy", "energy", "double", "0.99",
           "Fraction of the squared singular values to keep, in (0, 1]">,
    Option<"rank", "rank", "int64_t", "0",
           "Rank to keep (0: choose it from energy)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SNNSetBatchPass : Pass<"snn-set-batch", "::mlir::func::FuncOp"> {
  let summary = "Re-specialise the network to another batch size";
  let description = [{
    Sets the first dimension of the network's input to `batch` and retypes
    every op and the function's result accordingly. Formats stay; the
    `snn.cost` and `snn.schedule` attributes, which depend on the batch, go.
  }];
  let options = [
    Option<"batch", "batch", "int64_t", "0", "The new batch size (positive)">
  ];
}

def SNNSelectFormatPass : Pass<"snn-select-format", "::mlir::func::FuncOp"> {
  let summary = "Choose each layer's kernel format with a cost model";
  let description = [{
    Sets `format` (`#snn.format<...>`) on every dense and conv2d layer to the
    candidate with the best estimated speed: dense, csr, the tightest N:M
    pattern (N <= M/2, M in {4, 8}) the weight satisfies, or the best-filled
    R x C block pattern. The model's inputs, estimates and choice go into the
    discardable dictionary attribute `snn.cost`. The model is
    `sparsec::snn::CostModel` (CostModel.h): the code generator applies the
    same model to layers without a format, so running this pass changes no
    decision, it only makes them visible. Every constant can be overridden
    by the option of the same name (csr-efficiency, nm-efficiency,
    block-efficiency, spmv-efficiency, min-speedup, vector-width).

    ```
    sparsec-opt net.mlir --snn-select-format
    // snn.dense ... {format = #snn.format<csr>, snn.cost = {choice = ...,
    //   columns = 64 : i64, nonzeros = 102 : i64, ..., speedup = {...}}}
    ```
  }];
}

#endif // SPARSEC_DIALECT_SPARSENN_TRANSFORMS_PASSES_TD
