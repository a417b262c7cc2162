// snn-eliminate-dead: units whose filters are pruned, or that nothing reads,
// go with the matching channels of every op in between and the matching
// inputs of every consumer; constant units fold into the consumers' biases.
// RUN: sparsec-opt %s -split-input-file --snn-eliminate-dead | FileCheck %s
// Every case keeps its function: the reference executor agrees before and
// after on a random input.
// RUN: sparsec-opt %s --snn-eliminate-dead -o %t.mlir
// RUN: %f32 --random %t.x 16 1
// RUN: sparsec run %s --function=chain -i %t.x -o %t.a && sparsec run %t.mlir --function=chain -i %t.x -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6
// RUN: head -c 12 %t.x > %t.x3 && sparsec run %s --function=unread -i %t.x3 -o %t.a && sparsec run %t.mlir --function=unread -i %t.x3 -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6
// RUN: head -c 16 %t.x > %t.x4 && sparsec run %s --function=flatten -i %t.x4 -o %t.a && sparsec run %t.mlir --function=flatten -i %t.x4 -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6
// RUN: head -c 32 %t.x > %t.x8 && sparsec run %s --function=add_batchnorm -i %t.x8 -o %t.a && sparsec run %t.mlir --function=add_batchnorm -i %t.x8 -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6
// RUN: head -c 8 %t.x > %t.x2 && sparsec run %s --function=constant_layer -i %t.x2 -o %t.a && sparsec run %t.mlir --function=constant_layer -i %t.x2 -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-6

// Filter 1 of conv1 is pruned: its output is relu(0.5) = 0.5 everywhere,
// through the pool too, so conv1 keeps 2 filters, conv2 reads 2 channels, and
// 0.5 x (conv2's weights for channel 1: 1 and 1) joins conv2's bias.
// CHECK-LABEL: func.func @chain
// CHECK: [[W1:%.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK: [[B1:%.+]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: [[C1:%.+]] = snn.conv2d %arg0, [[W1]], [[B1]] {{.*}}-> tensor<1x2x4x4xf32>
// CHECK: [[R:%.+]] = snn.relu [[C1]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK: [[P:%.+]] = snn.maxpool2d [[R]] {{.*}}-> tensor<1x2x2x2xf32>
// CHECK: [[W2:%.+]] = arith.constant dense<1.000000e+00> : tensor<2x2x1x1xf32>
// CHECK: [[B2:%.+]] = arith.constant dense<[1.500000e+00, 2.500000e+00]> : tensor<2xf32>
// CHECK: snn.conv2d [[P]], [[W2]], [[B2]] {{.*}}: (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
func.func @chain(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w1 = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]]]> : tensor<3x1x1x1xf32>
  %m1 = arith.constant dense<[[[[true]]], [[[false]]], [[[true]]]]> : tensor<3x1x1x1xi1>
  %p1 = "snn.mask"(%w1, %m1) : (tensor<3x1x1x1xf32>, tensor<3x1x1x1xi1>) -> tensor<3x1x1x1xf32>
  %b1 = arith.constant dense<[0.0, 0.5, 0.0]> : tensor<3xf32>
  %c1 = "snn.conv2d"(%x, %p1, %b1) : (tensor<1x1x4x4xf32>, tensor<3x1x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %r = "snn.relu"(%c1) : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %p = "snn.maxpool2d"(%r) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  %w2 = arith.constant dense<1.0> : tensor<2x3x1x1xf32>
  %b2 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c2 = "snn.conv2d"(%p, %w2, %b2) : (tensor<1x3x2x2xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %c2 : tensor<1x2x2x2xf32>
}

// -----

// Unit 0 of d1 is never read (d2's column 0 is pruned); unit 2 is dead with
// bias -1, so relu makes it 0 and nothing folds: d1 keeps only unit 1, d2
// only column 1, and d2 gets no bias.
// CHECK-LABEL: func.func @unread
// CHECK: [[W1:%.+]] = arith.constant dense<{{\[\[}}4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<1x3xf32>
// CHECK: [[B1:%.+]] = arith.constant dense<2.000000e+00> : tensor<1xf32>
// CHECK: snn.dense %arg0, [[W1]], [[B1]] : (tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xf32>) -> tensor<1x1xf32>
// CHECK: [[W2:%.+]] = arith.constant dense<{{\[\[}}2.000000e+00], [5.000000e+00]]> : tensor<2x1xf32>
// CHECK: snn.dense %{{.+}}, [[W2]] : (tensor<1x1xf32>, tensor<2x1xf32>) -> tensor<1x2xf32>
func.func @unread(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w1 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]> : tensor<3x3xf32>
  %m1 = arith.constant dense<[[true, true, true], [true, true, true], [false, false, false]]> : tensor<3x3xi1>
  %p1 = "snn.mask"(%w1, %m1) : (tensor<3x3xf32>, tensor<3x3xi1>) -> tensor<3x3xf32>
  %b1 = arith.constant dense<[1.0, 2.0, -1.0]> : tensor<3xf32>
  %d1 = "snn.dense"(%x, %p1, %b1) : (tensor<1x3xf32>, tensor<3x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %r = "snn.relu"(%d1) : (tensor<1x3xf32>) -> tensor<1x3xf32>
  %w2 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %m2 = arith.constant dense<[[false, true, true], [false, true, true]]> : tensor<2x3xi1>
  %p2 = "snn.mask"(%w2, %m2) : (tensor<2x3xf32>, tensor<2x3xi1>) -> tensor<2x3xf32>
  %d2 = "snn.dense"(%r, %p2) : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %d2 : tensor<1x2xf32>
}

// -----

// Through a flatten a channel is a block of H x W = 4 columns: channel 0 is
// the constant 0.25, which adds 4 x 0.25 x 1 to the dense layer's bias.
// CHECK-LABEL: func.func @flatten
// CHECK: snn.conv2d {{.+}} -> tensor<1x1x2x2xf32>
// CHECK: snn.flatten {{.+}} -> tensor<1x4xf32>
// CHECK: [[W:%.+]] = arith.constant dense<1.000000e+00> : tensor<1x4xf32>
// CHECK: [[B:%.+]] = arith.constant dense<1.000000e+00> : tensor<1xf32>
// CHECK: snn.dense %{{.+}}, [[W]], [[B]] : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1xf32>) -> tensor<1x1xf32>
func.func @flatten(%x: tensor<1x1x2x2xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %m = arith.constant dense<[[[[false]]], [[[true]]]]> : tensor<2x1x1x1xi1>
  %p = "snn.mask"(%w, %m) : (tensor<2x1x1x1xf32>, tensor<2x1x1x1xi1>) -> tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.25, 0.0]> : tensor<2xf32>
  %c = "snn.conv2d"(%x, %p, %b) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %f = "snn.flatten"(%c) : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  %w2 = arith.constant dense<1.0> : tensor<1x8xf32>
  %d = "snn.dense"(%f, %w2) : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x1xf32>
  return %d : tensor<1x1xf32>
}

// -----

// A channel leaves an add only when both operands lose it: filter 1 of both
// convs is pruned, so channel 1 of the sum is 0.5 + 1.5 = 2, and after the
// batch norm (x - 1) / sqrt(1 + 0) * 2 + 0 = 2, which folds into conv3's
// bias (1 + 2 x 3 = 7). The batch norm keeps channel 0's parameters.
// CHECK-LABEL: func.func @add_batchnorm
// CHECK: snn.conv2d %arg0, {{.+}} -> tensor<1x1x2x2xf32>
// CHECK: snn.conv2d %arg0, {{.+}} -> tensor<1x1x2x2xf32>
// CHECK: snn.add {{.+}} -> tensor<1x1x2x2xf32>
// CHECK: snn.batchnorm {{.+}} : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
// CHECK: [[W3:%.+]] = arith.constant dense<2.000000e+00> : tensor<1x1x1x1xf32>
// CHECK: [[B3:%.+]] = arith.constant dense<7.000000e+00> : tensor<1xf32>
// CHECK: snn.conv2d %{{.+}}, [[W3]], [[B3]] : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
func.func @add_batchnorm(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %m = arith.constant dense<[[[[true]], [[true]]], [[[false]], [[false]]]]> : tensor<2x2x1x1xi1>
  %p = "snn.mask"(%w, %m) : (tensor<2x2x1x1xf32>, tensor<2x2x1x1xi1>) -> tensor<2x2x1x1xf32>
  %ba = arith.constant dense<[0.0, 0.5]> : tensor<2xf32>
  %bb = arith.constant dense<[0.0, 1.5]> : tensor<2xf32>
  %a = "snn.conv2d"(%x, %p, %ba) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %b = "snn.conv2d"(%x, %p, %bb) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %s = "snn.add"(%a, %b) : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %two = arith.constant dense<2.0> : tensor<2xf32>
  %zero = arith.constant dense<0.0> : tensor<2xf32>
  %bn = "snn.batchnorm"(%s, %two, %zero, %one, %one) {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %w3 = arith.constant dense<[[[[2.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %b3 = arith.constant dense<[1.0]> : tensor<1xf32>
  %c3 = "snn.conv2d"(%bn, %w3, %b3) : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %c3 : tensor<1x1x2x2xf32>
}

// -----

// A layer whose every input is constant is constant itself: d2 becomes its
// bias, [0.5 + 1 + 4, 0.5 + 3 + 8], with every weight masked off, which
// leaves d1 unread (tensors keep one unit).
// CHECK-LABEL: func.func @constant_layer
// CHECK: snn.dense %arg0, {{.+}} -> tensor<1x1xf32>
// CHECK: [[B2:%.+]] = arith.constant dense<[5.500000e+00, 1.150000e+01]> : tensor<2xf32>
// CHECK: snn.dense %{{.+}}, %{{.+}}, [[B2]] : (tensor<1x1xf32>, tensor<2x1xf32>, tensor<2xf32>) -> tensor<1x2xf32>
func.func @constant_layer(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w1 = arith.constant dense<1.0> : tensor<2x2xf32>
  %m1 = arith.constant dense<false> : tensor<2x2xi1>
  %p1 = "snn.mask"(%w1, %m1) : (tensor<2x2xf32>, tensor<2x2xi1>) -> tensor<2x2xf32>
  %b1 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %d1 = "snn.dense"(%x, %p1, %b1) : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %r = "snn.relu"(%d1) : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %w2 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b2 = arith.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %d2 = "snn.dense"(%r, %w2, %b2) : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %d2 : tensor<1x2xf32>
}
