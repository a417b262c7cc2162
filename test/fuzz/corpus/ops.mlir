func.func @ops(%x: tensor<1x2x6x6xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[[[0.5, -1.0], [0.25, 0.0]]], [[[1.0, 0.0], [0.0, -0.5]]], [[[0.0, 2.0], [1.0, 0.5]]], [[[-1.0, 0.5], [0.0, 1.0]]]]> : tensor<4x1x2x2xf32>
  %m = arith.constant dense<[[[[true, true], [true, false]]], [[[true, false], [false, true]]], [[[false, true], [true, true]]], [[[true, true], [false, true]]]]> : tensor<4x1x2x2xi1>
  %p = "snn.mask"(%w, %m) : (tensor<4x1x2x2xf32>, tensor<4x1x2x2xi1>) -> tensor<4x1x2x2xf32>
  %b = arith.constant dense<[0.1, -0.2, 0.3, 0.0]> : tensor<4xf32>
  %c = "snn.conv2d"(%x, %p, %b) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x2x6x6xf32>, tensor<4x1x2x2xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %s = arith.constant dense<[1.0, 0.5, 2.0, 1.5]> : tensor<4xf32>
  %t = arith.constant dense<[0.0, 0.1, -0.1, 0.2]> : tensor<4xf32>
  %mu = arith.constant dense<[0.5, 0.0, 0.25, -0.5]> : tensor<4xf32>
  %var = arith.constant dense<[1.0, 2.0, 0.5, 1.5]> : tensor<4xf32>
  %n = "snn.batchnorm"(%c, %s, %t, %mu, %var) {epsilon = 1.0e-05 : f32} : (tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %r = "snn.tanh"(%n) : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %mp = "snn.maxpool2d"(%r) {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %g = "snn.global_avgpool"(%mp) : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %f = "snn.flatten"(%g) : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
  %w2 = arith.constant dense<[[1.0, 0.0, -1.0, 0.5], [0.0, 0.0, 0.0, 0.0], [0.25, 0.5, 0.75, 1.0]]> : tensor<3x4xf32>
  %d = "snn.dense"(%f, %w2) : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
  %sg = "snn.sigmoid"(%d) : (tensor<1x3xf32>) -> tensor<1x3xf32>
  %y = "snn.softmax"(%sg) : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}
