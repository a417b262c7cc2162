// A dense layer 2048 -> 16 at batch 64: a lane tile's input slice (8 KiB
// per lane) overflows the L1 cache, so --tune also times column segments:
// of the two fastest whole schedules and of the widest tile
// (tune.test).
func.func @tune_segments(%x: tensor<64x2048xf32>) -> tensor<64x16xf32> {
  %w = arith.constant dense<0.25> : tensor<16x2048xf32>
  %b = arith.constant dense<0.5> : tensor<16xf32>
  %y = "snn.dense"(%x, %w, %b) : (tensor<64x2048xf32>, tensor<16x2048xf32>, tensor<16xf32>) -> tensor<64x16xf32>
  return %y : tensor<64x16xf32>
}
