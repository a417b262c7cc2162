// snn-merge-linear: two affine layers with nothing non-linear between them
// become one when that needs fewer MACs after sparsity.
// RUN: sparsec-opt %s --snn-merge-linear | FileCheck %s
// RUN: sparsec-opt %s --snn-merge-linear=always=1 | FileCheck %s --check-prefix=ALWAYS
// RUN: sparsec-opt %s --snn-merge-linear=always=1 -o %t.mlir
// RUN: %f32 --random %t.x 25 3
// RUN: sparsec run %s --function=convs -i %t.x -o %t.a && sparsec run %t.mlir --function=convs -i %t.x -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6
// RUN: head -c 32 %t.x > %t.x8 && sparsec run %s --function=cheaper -i %t.x8 -o %t.a && sparsec run %t.mlir --function=cheaper -i %t.x8 -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6
// RUN: head -c 16 %t.x > %t.x4 && sparsec run %s --function=costlier -i %t.x4 -o %t.a && sparsec run %t.mlir --function=costlier -i %t.x4 -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6

// 8 + 3 MACs per row become 4: W = w2 w1, b = w2 b1 + b2 = 1 - 2 + 6 + 0.5.
// CHECK-LABEL: func.func @cheaper
// CHECK: [[W:%.+]] = arith.constant dense<{{\[\[}}3.000000e+00, 1.000000e+00, 4.000000e+00, -1.000000e+00]]> : tensor<1x4xf32>
// CHECK: [[B:%.+]] = arith.constant dense<5.500000e+00> : tensor<1xf32>
// CHECK: [[D:%.+]] = snn.dense %arg0, [[W]], [[B]] : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<1xf32>) -> tensor<2x1xf32>
// CHECK-NEXT: return [[D]]

// 2 + 4 MACs per row would become 8: kept, unless `always`.
// CHECK-LABEL: func.func @costlier
// CHECK: snn.dense %arg0, {{.+}} -> tensor<2x1xf32>
// CHECK: snn.dense {{.+}} -> tensor<2x4xf32>
// ALWAYS-LABEL: func.func @costlier
// ALWAYS: [[W:%.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [2.000000e+00, 4.000000e+00], [3.000000e+00, 6.000000e+00], [4.000000e+00, 8.000000e+00]]> : tensor<4x2xf32>
// ALWAYS: snn.dense %arg0, [[W]], {{.+}} -> tensor<2x4xf32>
// ALWAYS-NEXT: return

// A relu between: nothing to merge.
// CHECK-LABEL: func.func @relu_between
// CHECK: snn.dense
// CHECK: snn.relu
// CHECK: snn.dense

// Two 2x2 convolutions become one 3x3 convolution; taps that are zero in
// every product are masked (27 MACs instead of 48 + 18).
// CHECK-LABEL: func.func @convs
// CHECK: [[W:%.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 2.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x3x3xf32>
// CHECK: [[M:%.+]] = arith.constant dense<{{\[\[\[\[}}true, false, false], [false, true, true], [false, false, false]]]]> : tensor<1x1x3x3xi1>
// CHECK: [[P:%.+]] = snn.mask [[W]], [[M]]
// CHECK: [[B:%.+]] = arith.constant dense<0.000000e+00> : tensor<1xf32>
// CHECK: snn.conv2d %arg0, [[P]], [[B]] {{.*}}-> tensor<1x1x3x3xf32>
// CHECK-NEXT: return

func.func @cheaper(%x: tensor<2x4xf32>) -> tensor<2x1xf32> {
  %w1 = arith.constant dense<[[1.0, 0.0, 2.0, 0.0], [0.0, 1.0, 0.0, 3.0], [1.0, 1.0, 1.0, 1.0]]> : tensor<3x4xf32>
  %b1 = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %d1 = "snn.dense"(%x, %w1, %b1) : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %w2 = arith.constant dense<[[1.0, -1.0, 2.0]]> : tensor<1x3xf32>
  %b2 = arith.constant dense<[0.5]> : tensor<1xf32>
  %d2 = "snn.dense"(%d1, %w2, %b2) : (tensor<2x3xf32>, tensor<1x3xf32>, tensor<1xf32>) -> tensor<2x1xf32>
  return %d2 : tensor<2x1xf32>
}
func.func @costlier(%x: tensor<2x2xf32>) -> tensor<2x4xf32> {
  %w1 = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %d1 = "snn.dense"(%x, %w1) : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x1xf32>
  %w2 = arith.constant dense<[[1.0], [2.0], [3.0], [4.0]]> : tensor<4x1xf32>
  %d2 = "snn.dense"(%d1, %w2) : (tensor<2x1xf32>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %d2 : tensor<2x4xf32>
}
func.func @relu_between(%x: tensor<2x4xf32>) -> tensor<2x1xf32> {
  %w1 = arith.constant dense<1.0> : tensor<3x4xf32>
  %d1 = "snn.dense"(%x, %w1) : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %r = "snn.relu"(%d1) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %w2 = arith.constant dense<1.0> : tensor<1x3xf32>
  %d2 = "snn.dense"(%r, %w2) : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x1xf32>
  return %d2 : tensor<2x1xf32>
}
func.func @convs(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %w1 = arith.constant dense<[[[[1.0, 0.0], [0.0, 1.0]]], [[[0.0, 2.0], [0.0, 0.0]]]]> : tensor<2x1x2x2xf32>
  %b1 = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %c1 = "snn.conv2d"(%x, %w1, %b1) : (tensor<1x1x5x5xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %w2 = arith.constant dense<[[[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]]]> : tensor<1x2x2x2xf32>
  %c2 = "snn.conv2d"(%c1, %w2) : (tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x3x3xf32>
  return %c2 : tensor<1x1x3x3xf32>
}
