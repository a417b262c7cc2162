// snn-prune: per-layer and global scope, excluded layers, and never
// un-pruning.

// Per layer at 0.25: layer 0 has
// one weight pruned already (1.2 stays pruned although it is the largest)
// and loses 0.1 and 0.2; layer 1 loses 2.0 and -3.0.
// RUN: sparsec-opt %s --snn-prune="sparsity=0.25" | FileCheck %s --check-prefix=LAYER
// LAYER-LABEL: func.func @two
// LAYER: dense<{{\[\[}}false, false, true, true], [true, true, true, true], [true, true, true, false]]> : tensor<3x4xi1>
// LAYER: dense<{{\[\[}}false, false, true], [true, true, true]]> : tensor<2x3xi1>

// One threshold for both: 9 of 18 weights, all from layer 0 (one was already).
// RUN: sparsec-opt %s --snn-prune="sparsity=0.5 scope=global" | FileCheck %s --check-prefix=GLOBAL
// GLOBAL-LABEL: func.func @two
// GLOBAL: dense<{{\[\[}}false, false, false, false], [false, false, false, false], [true, true, true, false]]> : tensor<3x4xi1>
// GLOBAL-NOT: tensor<2x3xi1>
// GLOBAL: return

// Excluded layers keep their weights: by name or by stats index (2 is the
// second dense layer).
// RUN: sparsec-opt %s --snn-prune="sparsity=0.5 exclude=first" | FileCheck %s --check-prefix=XFIRST
// XFIRST-LABEL: func.func @two
// XFIRST: dense<{{\[\[}}true, true, true, true], [true, true, true, true], [true, true, true, false]]> : tensor<3x4xi1>
// XFIRST: dense<{{\[\[}}false, false, false], [true, true, true]]> : tensor<2x3xi1>
// RUN: sparsec-opt %s --snn-prune="sparsity=0.5 exclude=last" | FileCheck %s --check-prefix=XLAST
// RUN: sparsec-opt %s --snn-prune="sparsity=0.5 exclude=2" | FileCheck %s --check-prefix=XLAST
// XLAST-LABEL: func.func @two
// XLAST: dense<{{\[\[}}false, false, false, false], [false, true, true, true], [true, true, true, false]]> : tensor<3x4xi1>
// XLAST-NOT: tensor<2x3xi1>
// XLAST: return

func.func @two(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w0 = arith.constant dense<[[0.1, -0.2, 0.3, -0.4], [0.5, 0.6, -0.7, 0.8], [0.9, 1.0, 1.1, 1.2]]> : tensor<3x4xf32>
  %m0 = arith.constant dense<[[true, true, true, true], [true, true, true, true], [true, true, true, false]]> : tensor<3x4xi1>
  %p0 = "snn.mask"(%w0, %m0) : (tensor<3x4xf32>, tensor<3x4xi1>) -> tensor<3x4xf32>
  %h = "snn.dense"(%x, %p0) : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
  %r = "snn.relu"(%h) : (tensor<1x3xf32>) -> tensor<1x3xf32>
  %w1 = arith.constant dense<[[2.0, -3.0, 4.0], [5.0, 6.0, -7.0]]> : tensor<2x3xf32>
  %y = "snn.dense"(%r, %w1) : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
