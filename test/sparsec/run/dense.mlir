// The reference executor's dense layer and masks against values worked out
// by hand, with a batch of two.
// RUN: %f32 %t.x "[1, 2, 3, 4, -1, 0, 1, 0]"
// RUN: sparsec run %s -i %t.x | FileCheck %s
// RUN: sparsec run %s -i %t.x -o %t.y | count 0
// RUN: %f32 --print %t.y | FileCheck %s --check-prefix=RAW

// Row 0 of w (mask 1011): 1*1 + 3*3 + 4*4 + 0.5 = 26.5; row 1 (mask 1110):
// -1 + 0.5*2 + 0 - 0.5 = -0.5. Second sample: -1 + 3 + 0.5 = 2.5, 1 - 0.5 = 0.5.
// CHECK: @net: output 2x2
// CHECK-NEXT: [0] 26.5 -0.5  (argmax 0)
// CHECK-NEXT: [1] 2.5 0.5  (argmax 0)
// RAW: 26.5
// RAW-NEXT: -0.5
// RAW-NEXT: 2.5
// RAW-NEXT: 0.5
func.func @net(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.0, 2.0]]> : tensor<2x4xf32>
  %m = arith.constant dense<[[true, false, true, true], [true, true, true, false]]> : tensor<2x4xi1>
  %b = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %p = "snn.mask"(%w, %m) : (tensor<2x4xf32>, tensor<2x4xi1>) -> tensor<2x4xf32>
  %y = "snn.dense"(%x, %p, %b) : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
