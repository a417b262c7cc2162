// A dense 1x1 convolution of 64 x 64 x 32 x 32 = 4.2 M multiply-adds (the
// planner's threshold for a parallel layer) and a pool and a 64-wide dense
// layer far below it.
func.func @choose_par(%x: tensor<1x64x32x32xf32>) -> tensor<1x10xf32> {
  %w = arith.constant dense<0.5> : tensor<64x64x1x1xf32>
  %y = "snn.conv2d"(%x, %w) : (tensor<1x64x32x32xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x32x32xf32>
  %p = "snn.global_avgpool"(%y) : (tensor<1x64x32x32xf32>) -> tensor<1x64x1x1xf32>
  %f = "snn.flatten"(%p) : (tensor<1x64x1x1xf32>) -> tensor<1x64xf32>
  %v = arith.constant dense<0.25> : tensor<10x64xf32>
  %z = "snn.dense"(%f, %v) : (tensor<1x64xf32>, tensor<10x64xf32>) -> tensor<1x10xf32>
  return %z : tensor<1x10xf32>
}
