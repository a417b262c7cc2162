// A csr 1x1 convolution 512 -> 512 at 7x7 (segments-one-tile.mlir): planned
// in 4 column segments over one tile of all 56 lanes.
func.func @pw(%x: tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32> {
  %w = arith.constant dense<0.5> : tensor<512x512x1x1xf32>
  %y = "snn.conv2d"(%x, %w) {format = #snn.format<csr>} : (tensor<1x512x7x7xf32>, tensor<512x512x1x1xf32>) -> tensor<1x512x7x7xf32>
  return %y : tensor<1x512x7x7xf32>
}
