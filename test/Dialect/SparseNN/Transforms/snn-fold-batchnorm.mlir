// snn-fold-batchnorm: batchnorm(layer(x)) becomes one layer whose output
// unit o has weights x s_o and bias (b_o - mean_o) s_o + shift_o, with
// s_o = scale_o / sqrt(var_o + epsilon). Masks stay.
// RUN: sparsec-opt %s --snn-fold-batchnorm | FileCheck %s
// RUN: sparsec-opt %s --snn-fold-batchnorm -o %t.mlir
// RUN: %f32 --random %t.x 9 2
// RUN: sparsec run %s --function=conv_bn -i %t.x -o %t.a && sparsec run %t.mlir --function=conv_bn -i %t.x -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6
// RUN: head -c 8 %t.x > %t.x2 && sparsec run %s --function=dense_bn -i %t.x2 -o %t.a && sparsec run %t.mlir --function=dense_bn -i %t.x2 -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6

// Channel 0: s = 2 / sqrt(4) = 1, bias (1 - 1) 1 + 1 = 1; channel 1:
// s = 0.5, bias (-1 - 3) 0.5 + 0 = -2.
// CHECK-LABEL: func.func @conv_bn
// CHECK: [[W:%.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]], {{\[\[\[}}5.000000e-01, 5.000000e-01], [5.000000e-01, 5.000000e-01]]]]> : tensor<2x1x2x2xf32>
// CHECK: [[M:%.+]] = arith.constant dense<{{\[\[\[\[}}true, false], [true, true]]], {{\[\[\[}}true, true], [true, true]]]]> : tensor<2x1x2x2xi1>
// CHECK: [[P:%.+]] = snn.mask [[W]], [[M]]
// CHECK: [[B:%.+]] = arith.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: [[C:%.+]] = snn.conv2d %arg0, [[P]], [[B]]
// CHECK-NOT: snn.batchnorm
// CHECK: return [[C]]

// The layer's output is also read elsewhere: nothing folds.
// CHECK-LABEL: func.func @dense_bn_shared
// CHECK: snn.batchnorm

// A layer without bias gets one: (0 - 1) [2, 3] + 1.
// CHECK-LABEL: func.func @dense_bn
// CHECK: [[W:%.+]] = arith.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00], [9.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>
// CHECK: [[B:%.+]] = arith.constant dense<[-1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: [[D:%.+]] = snn.dense %arg0, [[W]], [[B]]
// CHECK-NEXT: return [[D]]

func.func @conv_bn(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[1.0, 1.0], [1.0, 1.0]]]]> : tensor<2x1x2x2xf32>
  %m = arith.constant dense<[[[[true, false], [true, true]]], [[[true, true], [true, true]]]]> : tensor<2x1x2x2xi1>
  %p = "snn.mask"(%w, %m) : (tensor<2x1x2x2xf32>, tensor<2x1x2x2xi1>) -> tensor<2x1x2x2xf32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %c = "snn.conv2d"(%x, %p, %b) : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %scale = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %shift = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %var = arith.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %bn = "snn.batchnorm"(%c, %scale, %shift, %mean, %var) {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %bn : tensor<1x2x2x2xf32>
}
func.func @dense_bn_shared(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %d = "snn.dense"(%x, %w) : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %zero = arith.constant dense<0.0> : tensor<2xf32>
  %bn = "snn.batchnorm"(%d, %one, %zero, %zero, %one) {epsilon = 0.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %s = "snn.add"(%bn, %d) : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}
func.func @dense_bn(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %d = "snn.dense"(%x, %w) : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %s = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %zero = arith.constant dense<0.0> : tensor<2xf32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %bn = "snn.batchnorm"(%d, %s, %one, %one, %one) {epsilon = 0.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %bn : tensor<1x2xf32>
}
