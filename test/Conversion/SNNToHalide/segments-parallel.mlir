// Column segments (kblocks > 1) run every row block over one lane tile
// before the next tile whichever `order` the schedule names, so threads
// split the tiles' loop: with order "rows", splitting the row blocks instead
// made only the output stage parallel, one task per row of every tile (a
// sparse 1x1 layer of MobileNetV1 ran 5x slower on one thread, and slower
// on two than unthreaded).
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparsec compile %s -o %t/net.o --target=x86-64-avx2 --threads=2 --emit=stmt
// RUN: FileCheck %s < %t/net.stmt

// CHECK-NOT: par_for_l1_dense_out_s0_b
// CHECK: produce l1_dense_out {
// CHECK-NEXT: consume l1_dense_xt {
// CHECK: halide_do_par_for((void *)::sp_pipeline_par_for_l1_dense_out_s0_p_po, 0, 4,
// CHECK-NOT: par_for_l1_dense_out_s0_b
func.func @sp(%x: tensor<64x32xf32>) -> tensor<64x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x32xf32>
  %y = "snn.dense"(%x, %w) {format = #snn.format<csr>, snn.schedule = {kernel = "rows", rows = 1 : i64, tile = 16 : i64, vector = 8 : i64, interleave = 1 : i64, order = "rows", kblocks = 2 : i64, parallel = true}} : (tensor<64x32xf32>, tensor<16x32xf32>) -> tensor<64x16xf32>
  return %y : tensor<64x16xf32>
}
