// Column segments over a single lane tile (batch 16, tile 16) leave the
// tiles' loop nothing to share: with two threads the row blocks are split
// within the tile instead, in the first segment's loop (acc's initial
// value), each middle segment's and the last one's (the output stage); a
// sparse 1x1 layer of MobileNetV1 at 14x14 holds all 196 lanes in one tile
// (MobileNetV1 90 %, AVX-512 on EPYC Zen 5, two threads: 1.51 -> 1.32 ms
// fastest of 30). Numbers: difftest-ops.test (one_tile, two threads).
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparsec compile %s -o %t/net.o --target=x86-64-avx2 --threads=2 --emit=stmt
// RUN: FileCheck %s < %t/net.stmt
// RUN: sparsec compile %S/Inputs/one_tile_plan.mlir --threads=2 --target=x86-64-avx2 --emit=mlir -o %t/plan.o | FileCheck %s --check-prefix=PLAN

// CHECK-NOT: par_for_l1_dense_out_s0_p_po
// CHECK: produce l1_dense_out {
// CHECK: halide_do_par_for((void *)::one_pipeline_par_for_l1_dense_acc_s0_b, 0, 64,
// CHECK: halide_do_par_for((void *)::one_pipeline_par_for_l1_dense_acc_s1_b, 0, 64,
// CHECK: halide_do_par_for((void *)::one_pipeline_par_for_l1_dense_out_s0_b, 0, 64,
// CHECK-NOT: par_for_l1_dense_out_s0_p_po

// The planner threads such a layer: 12.8 M multiply-adds and 512 row blocks
// in its one tile (it counted tiles, and left it on one thread).
// PLAN: snn.conv2d {{.+}} snn.schedule = {interleave = 1 : i64, kblocks = 4 : i64, kernel = "rows", order = "tiles", parallel = true, rows = 1 : i64, tile = 56 : i64, vector = 8 : i64}
func.func @one(%x: tensor<16x32xf32>) -> tensor<16x64xf32> {
  %w = arith.constant dense<0.5> : tensor<64x32xf32>
  %y = "snn.dense"(%x, %w) {format = #snn.format<csr>, snn.schedule = {kernel = "rows", rows = 1 : i64, tile = 16 : i64, vector = 8 : i64, interleave = 1 : i64, order = "tiles", kblocks = 3 : i64, parallel = true}} : (tensor<16x32xf32>, tensor<64x32xf32>) -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}
