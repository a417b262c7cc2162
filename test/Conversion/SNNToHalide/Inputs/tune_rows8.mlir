// A dense layer 32 -> 16 at batch 64: a lane tile's input slice stays under
// 16 KiB, so --tune times no column segments and its candidates are exactly
// the tile widths and loop orders per row block (tune.test, tune-avx512.test).
func.func @tune_rows8(%x: tensor<64x32xf32>) -> tensor<64x16xf32> {
  %w = arith.constant dense<0.25> : tensor<16x32xf32>
  %b = arith.constant dense<0.5> : tensor<16xf32>
  %y = "snn.dense"(%x, %w, %b) : (tensor<64x32xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<64x16xf32>
  return %y : tensor<64x16xf32>
}
