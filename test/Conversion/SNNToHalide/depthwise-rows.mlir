// A depthwise convolution stages each input row at a whole vector's offset
// in its rolling row buffer, the row's bounds and pitch rounded to whole
// vectors (the zero pads are the ends of the vectors either side): the copy
// moves aligned vectors from the image to aligned stores, and the middle
// tap of every kernel row loads an aligned vector (3x3 at 112x112x32, EPYC
// Zen 5: AVX2 105 -> 97 us, AVX-512 82 -> 70 us; bench/run). A 32-wide row
// takes 48 floats on AVX2 (8 + 32 + pad, rounded to 8) and 64 on AVX-512.
// The strided layer's staged rows keep the same layout.
// Numbers: difftest-conv.test (depthwise layers, strides, every target).
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparsec compile %s -o %t/y.o --target=x86-64-avx2 --emit=stmt
// RUN: FileCheck %s --check-prefix=Y < %t/y.stmt
// RUN: sparsec compile %s -o %t/z.o --target=x86-64-avx512 --emit=stmt
// RUN: FileCheck %s --check-prefix=Z < %t/z.stmt

// Y: allocate l2_conv2d_rows[float32 * 48 * 4 * 1 * 1]
// Y: l2_conv2d_rows[ramp({{.+}}*48, 1, 8) aligned(48, 0)] = x8(0.000000f)
// Y: l2_conv2d_rows[ramp({{.+}} + 8, 1, 8) aligned(8, 0)] = input[ramp({{.+}}*8, 1, 8) aligned(8, 0)]
// Y: l2_conv2d_rows[ramp({{.+}}*48) + 40, 1, 8) aligned(48, 40)] = x8(0.000000f)
// Y: l2_conv2d_rows[ramp((t{{[0-9]+}}*48) + 8, 1, 8) aligned(48, 8)]*x8(l2_conv2d_taps[(l2_conv2d_dw.s1.l2_conv2d_px$z*9) + 1])
// Y: allocate l3_conv2d_rows[float32 * 40 * 4 * 1 * 1]
// Y: l3_conv2d_rows[ramp({{.+}} + 8, 1, 8) aligned(8, 0)] = l2_conv2d_dw[ramp({{.+}}*8, 1, 8) aligned(8, 0)]

// Z: allocate l2_conv2d_rows[float32 * 64 * 4 * 1 * 1]
// Z: l2_conv2d_rows[ramp({{.+}} + 16, 1, 16) aligned(16, 0)] = input[ramp({{.+}}*16, 1, 16) aligned(16, 0)]
// Z: l2_conv2d_rows[ramp((t{{[0-9]+}}*64) + 16, 1, 16) aligned(64, 16)]*x16(l2_conv2d_taps[(l2_conv2d_dw.s1.l2_conv2d_px$z*9) + 1])
// Z: allocate l3_conv2d_rows[float32 * 48 * 4 * 1 * 1]

func.func @dr(%x: tensor<1x4x32x32xf32>) -> tensor<1x4x16x16xf32> {
  %w = arith.constant dense<0.25> : tensor<4x1x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<4xf32>
  %a = "snn.conv2d"(%x, %w, %b) {groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x32x32xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x32x32xf32>
  %c = "snn.conv2d"(%a, %w, %b) {groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x32x32xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
  return %c : tensor<1x4x16x16xf32>
}
