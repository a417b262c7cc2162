// Dense layers at a batch of several vectors keep the batch contiguous: the
// input is transposed in 8 x 8 blocks held in registers (8 vector loads along
// the input's rows, 8 vector stores of the block read across), a second dense
// layer copies the first one's batch-contiguous result with vector loads, and
// the result is transposed back to the caller's row-major output the same way.
// Scalar loops or strided gathers here cost a quarter of FC 784 -> 300's time.
// RUN: sparsec compile %s -o %t.o --target=x86-64-avx2 --emit=stmt
// RUN: FileCheck %s < %t.stmt

// CHECK-LABEL: produce l1_dense_xt {
// CHECK: allocate input_f_in_l1_dense_xt$0[float32 * 64] in Register
// CHECK: input_f_in_l1_dense_xt$0[ramp(0, 1, 8)] = input[ramp({{.*}}, 1, 8)
// CHECK: input_f_in_l1_dense_xt$0[ramp(56, 1, 8)] = input[ramp({{.*}} + 168, 1, 8)
// CHECK: l1_dense_xt[ramp({{.*}}, 1, 8){{.*}}] = input_f_in_l1_dense_xt$0[ramp(0, 8, 8)]
// CHECK: l1_dense_xt[ramp({{.*}}, 1, 8){{.*}}] = input_f_in_l1_dense_xt$0[ramp(7, 8, 8)]
// CHECK-LABEL: produce l4_dense_xt {
// CHECK-NOT: _in_l4_dense_xt
// CHECK: l4_dense_xt[ramp({{.*}}, 1, 8){{.*}}] = l1_dense_out[ramp({{.*}}, 1, 8)
// CHECK-LABEL: produce bt_output {
// CHECK: allocate l4_dense_bm_in_bt_output$0[float32 * 64] in Register
// CHECK: l4_dense_bm_in_bt_output$0[ramp(0, 1, 8)] = l4_dense_out[ramp({{.*}}, 1, 8)
// CHECK: bt_output[ramp({{.*}}, 1, 8){{.*}}] = l4_dense_bm_in_bt_output$0[ramp(0, 8, 8)]
// CHECK: bt_output[ramp({{.*}}, 1, 8){{.*}}] = l4_dense_bm_in_bt_output$0[ramp(7, 8, 8)]

func.func @bt(%x: tensor<16x24xf32>) -> tensor<16x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x24xf32>
  %y = "snn.dense"(%x, %w) {format = #snn.format<dense>} : (tensor<16x24xf32>, tensor<16x24xf32>) -> tensor<16x16xf32>
  %r = "snn.relu"(%y) : (tensor<16x16xf32>) -> tensor<16x16xf32>
  %w2 = arith.constant dense<0.25> : tensor<16x16xf32>
  %z = "snn.dense"(%r, %w2) {format = #snn.format<dense>} : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  return %z : tensor<16x16xf32>
}
