// A convolution's zero-padded input copy moves each image row in vectors,
// also rows narrower than the target's vector: on AVX-512 (16 lanes) a
// 14-wide row is one vector of 8 and a predicated one for the last 6, a
// 7-wide row one vector of 4 and a predicated one for the last 3 (scalar
// copies of MobileNetV1's 14x14 and 7x7 layers' inputs took a fifth of its
// time: 2.6 -> 2.0 ms on one thread, EPYC Zen 5). AVX2 copies the 14-wide
// rows in vectors of 8 either way and the 7-wide ones in vectors of 4.
// Numbers: difftest-conv.test (rows of 7, 9, 10 and 13 on every target).
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparsec compile %s -o %t/z.o --target=x86-64-avx512 --emit=stmt
// RUN: FileCheck %s --check-prefixes=COPY,Z < %t/z.stmt
// RUN: sparsec compile %s -o %t/y.o --target=x86-64-avx2 --emit=stmt
// RUN: FileCheck %s --check-prefixes=COPY,Y < %t/y.stmt

// COPY: produce l2_conv2d_xpad {
// COPY: l2_conv2d_xpad[ramp({{.+}} + 17, 1, 8) aligned(16, 1)] = input[ramp({{.+}}*14, 1, 8) aligned(14, 0)]
// COPY-NEXT: predicate (ramp(8, 1, 8) <= x8(13))
// COPY-NEXT: l2_conv2d_xpad[ramp({{.+}} + 25, 1, 8) aligned(16, 9)] = input[ramp({{.+}} + 8, 1, 8) aligned(14, 8)] if (ramp(8, 1, 8) <= x8(13))
// COPY: produce l3_conv2d_xpad {
// COPY: l3_conv2d_xpad[ramp({{.+}} + 10, 1, 4) aligned(9, 1)] = l2_conv2d_out[ramp({{.+}}*7, 1, 4) aligned(7, 0)]
// COPY: l3_conv2d_xpad[ramp({{.+}} + 14, 1, 4) aligned(9, 5)] = l2_conv2d_out[ramp({{.+}} + 4, 1, 4) aligned(7, 4)] if (ramp(4, 1, 4) <= x4(6))
// Z: l3_conv2d_acc[ramp(0, 1, 16)]
// Y: l3_conv2d_acc[ramp(0, 1, 8)]

func.func @pc(%x: tensor<1x4x14x14xf32>) -> tensor<1x4x7x7xf32> {
  %w = arith.constant dense<0.25> : tensor<4x4x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<4xf32>
  %a = "snn.conv2d"(%x, %w, %b) {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x14x14xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x7x7xf32>
  %c = "snn.conv2d"(%a, %w, %b) {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x7x7xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x7x7xf32>
  return %c : tensor<1x4x7x7xf32>
}
