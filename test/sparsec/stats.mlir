// sparsec stats: per-layer shapes, parameters, nonzeros, sparsity and MACs.
// RUN: sparsec stats %s | FileCheck %s
// RUN: sparsec stats %s --json | FileCheck %s --check-prefix=JSON

// conv: 4x1x3x3 weights, 12 of 36 kept, +4 bias (one zero) -> 40 params,
// 15 nonzeros; 6x6 outputs, so 36*36 dense MACs and 36*12 after pruning.
// dense: 3x16 with rows of 16, 0 and 8 survivors -> 48 MACs dense, 24 after.
// CHECK: network @small
// CHECK-NEXT: #  layer      input    output   params  nonzeros  sparsity  dense MACs  MACs
// CHECK-NEXT: 0  conv2d     1x1x8x8  1x4x6x6      40        15     62.5%        1296   432
// CHECK-NEXT: 1  relu       1x4x6x6  1x4x6x6       -         -         -           -     -
// CHECK-NEXT: 2  batchnorm  1x4x6x6  1x4x6x6      16        16      0.0%         144   144
// CHECK-NEXT: 3  maxpool2d  1x4x6x6  1x4x2x2       -         -         -           -     -
// CHECK-NEXT: 4  flatten    1x4x2x2  1x16          -         -         -           -     -
// CHECK-NEXT: 5  dense      1x16     1x3          48        24     50.0%          48    24
// CHECK-NEXT:    total      1x1x8x8  1x3         104        55     47.1%        1488   600
// CHECK-NEXT: MACs after pruning: 2.48x fewer than dense

// JSON: "network": "small"
// JSON: "dense_macs": 1488,
// JSON: "macs": 600,
func.func @small(%x: tensor<1x1x8x8xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<1.0> : tensor<4x1x3x3xf32>
  %m = arith.constant dense<[[[[true, true, true], [false, false, false], [false, false, false]]], [[[true, true, true], [false, false, false], [false, false, false]]], [[[true, true, true], [false, false, false], [false, false, false]]], [[[true, true, true], [false, false, false], [false, false, false]]]]> : tensor<4x1x3x3xi1>
  %b = arith.constant dense<[1.0, 2.0, 0.0, 3.0]> : tensor<4xf32>
  %p = "snn.mask"(%w, %m) : (tensor<4x1x3x3xf32>, tensor<4x1x3x3xi1>) -> tensor<4x1x3x3xf32>
  %c = "snn.conv2d"(%x, %p, %b) : (tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %r = "snn.relu"(%c) : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %bn = "snn.batchnorm"(%r, %one, %one, %one, %one) : (tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %mp = "snn.maxpool2d"(%bn) {kernel = array<i64: 3, 3>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x2x2xf32>
  %f = "snn.flatten"(%mp) : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32>
  %dw = arith.constant dense<0.5> : tensor<3x16xf32>
  %dm = arith.constant dense<[[true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true], [false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false], [true, true, true, true, true, true, true, true, false, false, false, false, false, false, false, false]]> : tensor<3x16xi1>
  %dp = "snn.mask"(%dw, %dm) : (tensor<3x16xf32>, tensor<3x16xi1>) -> tensor<3x16xf32>
  %d = "snn.dense"(%f, %dp) : (tensor<1x16xf32>, tensor<3x16xf32>) -> tensor<1x3xf32>
  return %d : tensor<1x3xf32>
}
