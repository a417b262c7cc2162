// The reference executor's pooling against values worked out by hand.
// x is [[1,2,3],[4,5,6],[7,8,9]]; neg is its negation.
// RUN: %f32 %t.x "list(range(1, 10))"
// RUN: %f32 %t.neg "[-v for v in range(1, 10)]"
// RUN: %f32 %t.g "[1, 2, 3, 4, 10, 20, 30, 40]"
// RUN: sparsec run %s --function max_pad -i %t.neg | FileCheck %s --check-prefix=MAXPAD
// RUN: sparsec run %s --function max_ceil -i %t.x | FileCheck %s --check-prefix=MAXCEIL
// RUN: sparsec run %s --function max_dilated -i %t.x | FileCheck %s --check-prefix=MAXDIL
// RUN: sparsec run %s --function avg_include_pad -i %t.x | FileCheck %s --check-prefix=AVGINC
// RUN: sparsec run %s --function avg_exclude_pad -i %t.x | FileCheck %s --check-prefix=AVGEXC
// RUN: sparsec run %s --function avg_ceil -i %t.x | FileCheck %s --check-prefix=AVGCEIL
// RUN: sparsec run %s --function global -i %t.g | FileCheck %s --check-prefix=GLOBAL

// 2x2 windows, stride 1, padding 1 on an all-negative input: padded
// positions never win, so corners keep the lone real value.
// MAXPAD: [0] -1 -1 -2 -3 -1 -1 -2 -3 -4 -4 -5 -6 -7 -7 -8 -9
func.func @max_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32> {
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// 2x2, stride 2 (the default), ceil mode keeps the partial windows.
// MAXCEIL: [0] 5 6 8 9
func.func @max_ceil(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// 2x2 with dilation 2 covers the four corners: max(1, 3, 7, 9) = 9.
// MAXDIL: [0] 9
func.func @max_dilated(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32> {
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, dilations = array<i64: 2, 2>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}

// 3x3, stride 1, padding 1, padded zeros counted: every divisor is 9.
// (1+2+4+5)/9, (1+2+3+4+5+6)/9, (2+3+5+6)/9, ...
// AVGINC: [0] 1.33333 2.33333 1.77778 3 5 3.66667 2.66667 4.33333 3.11111
func.func @avg_include_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %y = "snn.avgpool2d"(%x) {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// The same without the padded zeros: corners divide by 4, edges by 6.
// AVGEXC: [0] 3 3.5 4 4.5 5 5.5 6 6.5 7
func.func @avg_exclude_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %y = "snn.avgpool2d"(%x) {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// Ceil mode: windows that run off the input divide by the part inside it,
// as PyTorch does: (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1.
// AVGCEIL: [0] 3 4.5 7.5 9
func.func @avg_ceil(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %y = "snn.avgpool2d"(%x) {kernel = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// GLOBAL: @global: output 1x2x1x1
// GLOBAL-NEXT: [0] 2.5 25
func.func @global(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32> {
  %y = "snn.global_avgpool"(%x) : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  return %y : tensor<1x2x1x1xf32>
}
