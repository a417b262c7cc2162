// A padded stride-1 convolution computes its lanes over the zero-padded image
// flattened on the padded row pitch by default: one lane loop over all rows
// (40 lanes: 4 rows of 10, the pitch's two padding columns included), whose
// output is then copied off the pitch into the caller's buffer. With
// `flat = false` the lanes run along each output row (a loop over the 4 rows,
// one tile of 8 lanes each) and the kernel stores straight into the output.
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparsec compile %s -o %t/flat.o --target=x86-64-avx2 --emit=stmt
// RUN: FileCheck %s --check-prefix=FLAT < %t/flat.stmt
// RUN: sed -e 's/parallel = false}/parallel = false, flat = false}/' %s > %t/rows.mlir
// RUN: sparsec compile %t/rows.mlir -o %t/rows.o --target=x86-64-avx2 --emit=stmt
// RUN: FileCheck %s --check-prefix=ROWS < %t/rows.stmt
// RUN: sparsec compile %t/rows.mlir --emit=mlir -o %t/rows2.o | FileCheck %s --check-prefix=KEEP

// FLAT: produce l1_conv2d_out {
// FLAT-NOT: l1_conv2d_out.s0.h
// FLAT: for (l1_conv2d_out.s0.p.po, 0, 5) {
// FLAT: produce rl_output {
// FLAT: rl_output[{{.*}}] = l1_conv2d_out[

// ROWS: produce l1_conv2d_out {
// ROWS: for (l1_conv2d_out.s0.h, 0, 4) {
// ROWS-NOT: produce rl_output
// ROWS: l1_conv2d_out[ramp({{.*}}, 1, 8) aligned(8, 0)] = {{.*}}l1_conv2d_acc[ramp(
// ROWS-NOT: produce rl_output

// KEEP: snn.schedule = {flat = false, interleave = 1 : i64, kblocks = 2 : i64, kernel = "rows"
func.func @rl(%x: tensor<1x8x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %w = arith.constant dense<0.5> : tensor<4x8x3x3xf32>
  %y = "snn.conv2d"(%x, %w) {padding = array<i64: 1, 1, 1, 1>, format = #snn.format<csr>, snn.schedule = {kernel = "rows", rows = 1 : i64, tile = 8 : i64, vector = 8 : i64, interleave = 1 : i64, order = "tiles", kblocks = 2 : i64, parallel = false}} : (tensor<1x8x4x8xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x4x8xf32>
  return %y : tensor<1x4x4x8xf32>
}
