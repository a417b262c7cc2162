// snn-set-batch: the network is re-specialised to another batch size; every
// batch row computes what it did.
// RUN: sparsec-opt %s --snn-set-batch=batch=3 | FileCheck %s
// RUN: sparsec-opt %s --snn-set-batch=batch=3 -o %t.mlir
// RUN: %f32 --random %t.x 18 5
// RUN: sparsec run %s -i %t.x -o %t.y
// RUN: cat %t.x %t.x %t.x > %t.x3 && cat %t.y %t.y %t.y > %t.y3
// RUN: sparsec run %t.mlir -i %t.x3 -o %t.z3 && %f32 --compare %t.z3 %t.y3 --rtol 1e-6
// RUN: not sparsec-opt %s --snn-set-batch=batch=0 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: error: snn-set-batch: option 'batch' must be positive, but is 0

// CHECK-LABEL: func.func @net(%arg0: tensor<3x2x3x3xf32>) -> tensor<3x2xf32>
// CHECK: snn.conv2d %arg0, {{.+}} -> tensor<3x1x3x3xf32>
// CHECK: snn.maxpool2d {{.+}} : (tensor<3x1x3x3xf32>) -> tensor<3x1x2x2xf32>
// CHECK: snn.flatten {{.+}} : (tensor<3x1x2x2xf32>) -> tensor<3x4xf32>
// CHECK: snn.dense {{.+}} {format = #snn.format<csr>} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
// CHECK-NOT: snn.cost
// CHECK: return {{.+}} : tensor<3x2xf32>
func.func @net(%x: tensor<1x2x3x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[[[0.5, -1.0], [1.5, 2.0]], [[1.0, 0.25], [-0.5, 1.0]]]]> : tensor<1x2x2x2xf32>
  %c = "snn.conv2d"(%x, %w) {padding = array<i64: 1, 1, 0, 0>} : (tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x3x3xf32>
  %p = "snn.maxpool2d"(%c) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  %f = "snn.flatten"(%p) : (tensor<1x1x2x2xf32>) -> tensor<1x4xf32>
  %w2 = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.0, 2.0]]> : tensor<2x4xf32>
  %d = "snn.dense"(%f, %w2) {format = #snn.format<csr>, snn.cost = {rows = 2 : i64}} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}
