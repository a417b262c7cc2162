// A dense 1x1 convolution of 64 x 64 x 32 x 32 = 4.2 M multiply-adds, one of
// 3 x 64 x 32 x 32 = 197 k (below the planner's threshold of 256 k for a
// parallel layer), and a pool and a 3-wide dense layer far below it.
func.func @choose_par(%x: tensor<1x64x32x32xf32>) -> tensor<1x10xf32> {
  %w = arith.constant dense<0.5> : tensor<64x64x1x1xf32>
  %y = "snn.conv2d"(%x, %w) : (tensor<1x64x32x32xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x32x32xf32>
  %w2 = arith.constant dense<0.125> : tensor<3x64x1x1xf32>
  %y2 = "snn.conv2d"(%y, %w2) : (tensor<1x64x32x32xf32>, tensor<3x64x1x1xf32>) -> tensor<1x3x32x32xf32>
  %p = "snn.global_avgpool"(%y2) : (tensor<1x3x32x32xf32>) -> tensor<1x3x1x1xf32>
  %f = "snn.flatten"(%p) : (tensor<1x3x1x1xf32>) -> tensor<1x3xf32>
  %v = arith.constant dense<0.25> : tensor<10x3xf32>
  %z = "snn.dense"(%f, %v) : (tensor<1x3xf32>, tensor<10x3xf32>) -> tensor<1x10xf32>
  return %z : tensor<1x10xf32>
}
