// Dense layers at a batch of several vectors keep the batch contiguous: an
// input of whole 8 x 8 blocks (AVX2) is transposed block by block in
// registers (8 vector loads along the input's rows, three rounds of
// interleaving register halves, 8 vector stores of the block's columns), a
// second dense layer copies the first one's batch-contiguous result with
// vector loads, and the result is transposed back to the caller's row-major
// output in 8 x 8 register blocks. Scalar loops or strided gathers here cost
// a quarter of FC 784 -> 300's time.
// RUN: sparsec compile %s -o %t.o --target=x86-64-avx2 --emit=stmt
// RUN: FileCheck %s < %t.stmt

// CHECK-LABEL: produce l1_dense_xt {
// CHECK: allocate l1_dense_t0[float32 * 64] in Register
// CHECK: l1_dense_t0[ramp(0, 1, 8)] = input[ramp({{.*}}, 1, 8)
// CHECK: l1_dense_t0[ramp(56, 1, 8)] = input[ramp({{.*}} + 168, 1, 8)
// CHECK: l1_dense_t1[ramp(0, 1, 8)] = interleave_vectors(l1_dense_t0[ramp(0, 1, 4)], l1_dense_t0[ramp(32, 1, 4)])
// CHECK: l1_dense_t1[ramp(56, 1, 8)] = interleave_vectors(l1_dense_t0[ramp(28, 1, 4)], l1_dense_t0[ramp(60, 1, 4)])
// CHECK: l1_dense_t2[ramp(0, 1, 8)] = interleave_vectors(l1_dense_t1[ramp(0, 1, 4)], l1_dense_t1[ramp(32, 1, 4)])
// CHECK: l1_dense_t3[ramp(56, 1, 8)] = interleave_vectors(l1_dense_t2[ramp(28, 1, 4)], l1_dense_t2[ramp(60, 1, 4)])
// CHECK: l1_dense_xt[ramp({{.*}}, 1, 8){{.*}}] = l1_dense_t3[ramp(0, 1, 8)]
// CHECK: l1_dense_xt[ramp({{.*}}, 1, 8){{.*}}] = l1_dense_t3[ramp(56, 1, 8)]
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
