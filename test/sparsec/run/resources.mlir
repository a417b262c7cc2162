// Weights and masks given as dense_resource blobs and as hex dense literals
// evaluate like their inline forms, and round-trip through sparsec-opt.
// RUN: %f32 %t.x "[1, 1, 1, 1]"
// RUN: sparsec run %s -i %t.x | FileCheck %s
// RUN: sparsec-opt %s | sparsec run - -i %t.x | FileCheck %s
// RUN: sparsec-opt %s | FileCheck %s --check-prefix=IR

// Row 0: blob [1, 2, 3, 4] masked by 1011 -> 1 + 3 + 4; row 1: hex
// [0.5, 0.5, 0.5, 0.5] -> 2; bias given in hex [10, -10].
// CHECK: [0] 18 -8  (argmax 0)
// IR: arith.constant dense_resource<w0> : tensor<1x4xf32>
// IR: arith.constant dense_resource<m0> : tensor<1x4xi1>
// IR: arith.constant dense<5.000000e-01> : tensor<1x4xf32>
// IR: w0: "0x040000000000803F000000400000404000008040"
func.func @net(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w0 = arith.constant dense_resource<w0> : tensor<1x4xf32>
  %m0 = arith.constant dense_resource<m0> : tensor<1x4xi1>
  %p0 = "snn.mask"(%w0, %m0) : (tensor<1x4xf32>, tensor<1x4xi1>) -> tensor<1x4xf32>
  %y0 = "snn.dense"(%x, %p0) : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32>
  %w1 = arith.constant dense<"0x0000003F0000003F0000003F0000003F"> : tensor<1x4xf32>
  %y1 = "snn.dense"(%x, %w1) : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32>
  %f0 = "snn.flatten"(%y0) : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %w = arith.constant dense<[[1.0], [0.0]]> : tensor<2x1xf32>
  %v = arith.constant dense<[[0.0], [1.0]]> : tensor<2x1xf32>
  %b = arith.constant dense<"0x00002041000020C1"> : tensor<2xf32>
  %a0 = "snn.dense"(%f0, %w, %b) : (tensor<1x1xf32>, tensor<2x1xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %a1 = "snn.dense"(%y1, %v) : (tensor<1x1xf32>, tensor<2x1xf32>) -> tensor<1x2xf32>
  %y = "snn.add"(%a0, %a1) : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w0: "0x040000000000803F000000400000404000008040",
      m0: "0x0100000001000101"
    }
  }
#-}
