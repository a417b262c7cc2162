// The reference executor's conv2d against values worked out by hand.
// x3 is [[1,2,3],[4,5,6],[7,8,9]]; x4 is 1..16 row-major.
// RUN: %f32 %t.x3 "list(range(1, 10))"
// RUN: %f32 %t.x4 "list(range(1, 17))"
// RUN: %f32 %t.g "[1, 2, 3, 4]"
// RUN: %f32 %t.d "list(range(1, 10)) + [1] * 9"
// RUN: sparsec run %s --function basic -i %t.x3 | FileCheck %s --check-prefix=BASIC
// RUN: sparsec run %s --function stride_pad -i %t.x3 | FileCheck %s --check-prefix=STRIDE
// RUN: sparsec run %s --function asym_pad -i %t.x3 | FileCheck %s --check-prefix=ASYM
// RUN: sparsec run %s --function dilation -i %t.x4 | FileCheck %s --check-prefix=DIL
// RUN: sparsec run %s --function groups -i %t.g | FileCheck %s --check-prefix=GROUPS
// RUN: sparsec run %s --function depthwise -i %t.d | FileCheck %s --check-prefix=DW
// RUN: sparsec run %s --function masked -i %t.x3 | FileCheck %s --check-prefix=MASKED

// 2x2 kernel [[1,2],[3,4]], bias 0.5: 1+4+12+20 = 37, 2+6+15+24 = 47, ...
// BASIC: @basic: output 1x1x2x2
// BASIC-NEXT: [0] 37.5 47.5 67.5 77.5
func.func @basic(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %b = arith.constant dense<0.5> : tensor<1xf32>
  %y = "snn.conv2d"(%x, %w, %b) : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// 3x3 ones, padding 1, stride 2: windows centred on (0,0), (0,2), (2,0), (2,2)
// see 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
// STRIDE: [0] 12 16 24 28
func.func @stride_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x3x3xf32>
  %y = "snn.conv2d"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// 2x2 ones, padding top 1 and right 1 only: first row sees only row 0,
// last column only column 2.
// ASYM: [0] 3 5 3 12 16 9 24 28 15
func.func @asym_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x2x2xf32>
  %y = "snn.conv2d"(%x, %w) {padding = array<i64: 1, 0, 0, 1>} : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// 2x2 ones with dilation 2 on 1..16: x00+x02+x20+x22 = 1+3+9+11 = 24, ...
// DIL: [0] 24 28 40 44
func.func @dilation(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x2x2xf32>
  %y = "snn.conv2d"(%x, %w) {dilations = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// Two groups of two channels: output 0 sees channels 0-1 (1 + 2), output 1
// sees channels 2-3 (3 - 4).
// GROUPS: [0] 3 -1
func.func @groups(%x: tensor<1x4x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %w = arith.constant dense<[[[[1.0]], [[1.0]]], [[[1.0]], [[-1.0]]]]> : tensor<2x2x1x1xf32>
  %y = "snn.conv2d"(%x, %w) {groups = 2 : i64} : (tensor<1x4x1x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  return %y : tensor<1x2x1x1xf32>
}

// Depthwise 3x3, padding 1: channel 0 has only the centre tap (identity),
// channel 1 (all ones in) has all-ones taps, so it counts in-bounds
// neighbours: 4 at corners, 6 on edges, 9 in the middle.
// DW: [0] 1 2 3 4 5 6 7 8 9 4 6 4 6 9 6 4 6 4
func.func @depthwise(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]], [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]]> : tensor<2x1x3x3xf32>
  %y = "snn.conv2d"(%x, %w) {groups = 2 : i64, padding = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// The mask keeps only the kernel's diagonal [[1,_],[_,4]]:
// 1*1 + 4*5 = 21, 2 + 24 = 26, 4 + 32 = 36, 5 + 36 = 41.
// MASKED: [0] 21 26 36 41
func.func @masked(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %m = arith.constant dense<[[[[true, false], [false, true]]]]> : tensor<1x1x2x2xi1>
  %p = "snn.mask"(%w, %m) : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi1>) -> tensor<1x1x2x2xf32>
  %y = "snn.conv2d"(%x, %p) : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
