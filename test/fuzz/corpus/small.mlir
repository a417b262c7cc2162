func.func @small(%x: tensor<2x3x4x5xf32>) -> tensor<2x7xf32> {
  %w = arith.constant dense<0.5> : tensor<7x60xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]> : tensor<7xf32>
  %f = "snn.flatten"(%x) : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
  %y = "snn.dense"(%f, %w, %b) : (tensor<2x60xf32>, tensor<7x60xf32>, tensor<7xf32>) -> tensor<2x7xf32>
  return %y : tensor<2x7xf32>
}
