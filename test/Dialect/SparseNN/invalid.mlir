// One case per verifier check: each names the op, the operand and the numbers
// that disagree.
// RUN: sparsec-opt %s -split-input-file -verify-diagnostics

func.func @mask_shape(%w: tensor<4x3xf32>, %m: tensor<4x2xi1>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'snn.mask' op mask shape 4x2 does not match weight shape 4x3}}
  %p = "snn.mask"(%w, %m) : (tensor<4x3xf32>, tensor<4x2xi1>) -> tensor<4x3xf32>
  return %p : tensor<4x3xf32>
}

// -----

func.func @mask_type(%w: tensor<4x3xf32>, %m: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'snn.mask' op operand #1 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4x3xf32>'}}
  %p = "snn.mask"(%w, %m) : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %p : tensor<4x3xf32>
}

// -----

func.func @dense_f64(%x: tensor<1x3xf64>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'snn.dense' op operand #0 must be statically shaped tensor of 32-bit float values, but got 'tensor<1x3xf64>'}}
  %y = "snn.dense"(%x, %w) : (tensor<1x3xf64>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @dense_dynamic(%x: tensor<?x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'snn.dense' op operand #0 must be statically shaped tensor of 32-bit float values, but got 'tensor<?x3xf32>'}}
  %y = "snn.dense"(%x, %w) : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @dense_input_rank(%x: tensor<1x3x1xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'snn.dense' op input must be 2-D (N x K), but has rank 3 (shape 1x3x1)}}
  %y = "snn.dense"(%x, %w) : (tensor<1x3x1xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @dense_weight_rank(%x: tensor<1x3xf32>, %w: tensor<6xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'snn.dense' op weight must be 2-D (M x K), but has rank 1 (shape 6)}}
  %y = "snn.dense"(%x, %w) : (tensor<1x3xf32>, tensor<6xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @dense_features(%x: tensor<1x784xf32>, %w: tensor<300x748xf32>) -> tensor<1x300xf32> {
  // expected-error @+1 {{'snn.dense' op weight has 748 input features (shape 300x748), but input has 784 (shape 1x784)}}
  %y = "snn.dense"(%x, %w) : (tensor<1x784xf32>, tensor<300x748xf32>) -> tensor<1x300xf32>
  return %y : tensor<1x300xf32>
}

// -----

func.func @dense_bias(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'snn.dense' op bias must have 2 elements (one per output feature), but has shape 3}}
  %y = "snn.dense"(%x, %w, %b) : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @dense_result(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'snn.dense' op result shape 1x3 does not match the shape implied by the operands, 1x2}}
  %y = "snn.dense"(%x, %w) : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

func.func @conv_input_rank(%x: tensor<1x28x28xf32>, %w: tensor<6x1x5x5xf32>) -> tensor<1x6x24x24xf32> {
  // expected-error @+1 {{'snn.conv2d' op input must be 4-D (N x C x H x W), but has rank 3 (shape 1x28x28)}}
  %y = "snn.conv2d"(%x, %w) : (tensor<1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<1x6x24x24xf32>
  return %y : tensor<1x6x24x24xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x1x28x28xf32>, %w: tensor<6x25xf32>) -> tensor<1x6x24x24xf32> {
  // expected-error @+1 {{'snn.conv2d' op weight must be 4-D (O x C/groups x KH x KW), but has rank 2 (shape 6x25)}}
  %y = "snn.conv2d"(%x, %w) : (tensor<1x1x28x28xf32>, tensor<6x25xf32>) -> tensor<1x6x24x24xf32>
  return %y : tensor<1x6x24x24xf32>
}

// -----

func.func @conv_strides_length(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op strides must have 2 elements, but has 3}}
  %y = "snn.conv2d"(%x, %w) {strides = array<i64: 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op strides must be positive, but strides[1] = 0}}
  %y = "snn.conv2d"(%x, %w) {strides = array<i64: 1, 0>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_stride_negative(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op strides must be positive, but strides[0] = -2}}
  %y = "snn.conv2d"(%x, %w) {strides = array<i64: -2, 1>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_padding_length(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op padding must have 2 or 4 elements, but has 3}}
  %y = "snn.conv2d"(%x, %w) {padding = array<i64: 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_padding_negative(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op padding must be non-negative, but padding[2] = -1}}
  %y = "snn.conv2d"(%x, %w) {padding = array<i64: 0, 0, -1, 0>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_dilation_zero(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op dilations must be positive, but dilations[0] = 0}}
  %y = "snn.conv2d"(%x, %w) {dilations = array<i64: 0, 1>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_groups_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op groups must be positive, but is 0}}
  %y = "snn.conv2d"(%x, %w) {groups = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_groups_input(%x: tensor<1x6x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op groups = 4 does not divide the input's 6 channels}}
  %y = "snn.conv2d"(%x, %w) {groups = 4 : i64} : (tensor<1x6x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_groups_output(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op groups = 4 does not divide the weight's 6 output channels}}
  %y = "snn.conv2d"(%x, %w) {groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %y : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op weight has 3 input channels per group (shape 6x3x3x3), but input has 4 channels in 2 groups (expected 2)}}
  %y = "snn.conv2d"(%x, %w) {groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %y : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<1x2xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'snn.conv2d' op bias must have 2 elements (one per output channel), but has shape 1x2}}
  %y = "snn.conv2d"(%x, %w, %b) : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>, tensor<1x2xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_kernel_too_large(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x5x5xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+1 {{'snn.conv2d' op kernel 5x5 (dilated extent 5x5) does not fit the padded input 4x4}}
  %y = "snn.conv2d"(%x, %w) : (tensor<1x1x4x4xf32>, tensor<2x1x5x5xf32>) -> tensor<1x2x1x1xf32>
  return %y : tensor<1x2x1x1xf32>
}

// -----

func.func @conv_dilated_too_large(%x: tensor<1x1x6x6xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+1 {{'snn.conv2d' op kernel 3x3 (dilated extent 7x3) does not fit the padded input 6x6}}
  %y = "snn.conv2d"(%x, %w) {dilations = array<i64: 3, 1>} : (tensor<1x1x6x6xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x1x1xf32>
  return %y : tensor<1x2x1x1xf32>
}

// -----

func.func @conv_result(%x: tensor<1x1x28x28xf32>, %w: tensor<6x1x5x5xf32>) -> tensor<1x6x28x28xf32> {
  // expected-error @+1 {{'snn.conv2d' op result shape 1x6x28x28 does not match the shape implied by the operands, 1x6x24x24}}
  %y = "snn.conv2d"(%x, %w) : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<1x6x28x28xf32>
  return %y : tensor<1x6x28x28xf32>
}

// -----

func.func @maxpool_missing_kernel(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op requires attribute 'kernel'}}
  %y = "snn.maxpool2d"(%x) : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

func.func @maxpool_input_rank(%x: tensor<1x8x8xf32>) -> tensor<1x4x4xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op input must be 4-D (N x C x H x W), but has rank 3 (shape 1x8x8)}}
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>} : (tensor<1x8x8xf32>) -> tensor<1x4x4xf32>
  return %y : tensor<1x4x4xf32>
}

// -----

func.func @maxpool_kernel_length(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op kernel must have 2 elements, but has 1}}
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

func.func @maxpool_kernel_zero(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op kernel must be positive, but kernel[0] = 0}}
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 0, 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

func.func @maxpool_strides_zero(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op strides must be positive, but strides[1] = 0}}
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

func.func @maxpool_dilation_zero(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op dilations must be positive, but dilations[1] = 0}}
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, dilations = array<i64: 1, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

func.func @maxpool_padding(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x5x5xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op padding 2 exceeds half the 2-wide kernel (padding[1] must be at most 1)}}
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, padding = array<i64: 1, 2, 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x5x5xf32>
  return %y : tensor<1x1x5x5xf32>
}

// -----

func.func @maxpool_result(%x: tensor<1x1x7x7xf32>) -> tensor<1x1x3x3xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op result shape 1x1x3x3 does not match the shape implied by the operands, 1x1x4x4}}
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x7x7xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// -----

func.func @maxpool_kernel_too_large(%x: tensor<1x1x2x8xf32>) -> tensor<1x1x1x2xf32> {
  // expected-error @+1 {{'snn.maxpool2d' op kernel 3x3 (dilated extent 3x3) does not fit the padded input 2x8}}
  %y = "snn.maxpool2d"(%x) {kernel = array<i64: 3, 3>} : (tensor<1x1x2x8xf32>) -> tensor<1x1x1x2xf32>
  return %y : tensor<1x1x1x2xf32>
}

// -----

func.func @avgpool_padding_length(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+1 {{'snn.avgpool2d' op padding must have 2 or 4 elements, but has 1}}
  %y = "snn.avgpool2d"(%x) {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  return %y : tensor<1x1x8x8xf32>
}

// -----

func.func @avgpool_result(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+1 {{'snn.avgpool2d' op result shape 1x1x8x8 does not match the shape implied by the operands, 1x1x2x2}}
  %y = "snn.avgpool2d"(%x) {kernel = array<i64: 3, 3>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  return %y : tensor<1x1x8x8xf32>
}

// -----

func.func @global_avgpool_rank(%x: tensor<1x16xf32>) -> tensor<1x16x1x1xf32> {
  // expected-error @+1 {{'snn.global_avgpool' op input must be 4-D (N x C x H x W), but has rank 2 (shape 1x16)}}
  %y = "snn.global_avgpool"(%x) : (tensor<1x16xf32>) -> tensor<1x16x1x1xf32>
  return %y : tensor<1x16x1x1xf32>
}

// -----

func.func @global_avgpool_result(%x: tensor<1x16x7x7xf32>) -> tensor<1x16xf32> {
  // expected-error @+1 {{'snn.global_avgpool' op result shape 1x16 does not match the shape implied by the operands, 1x16x1x1}}
  %y = "snn.global_avgpool"(%x) : (tensor<1x16x7x7xf32>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// -----

func.func @relu_result(%x: tensor<1x16xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'snn.relu' op result shape 1x8 does not match the shape implied by the operands, 1x16}}
  %y = "snn.relu"(%x) : (tensor<1x16xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @sigmoid_result(%x: tensor<1x16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'snn.sigmoid' op result shape 16 does not match the shape implied by the operands, 1x16}}
  %y = "snn.sigmoid"(%x) : (tensor<1x16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

func.func @tanh_type(%x: tensor<1x16xf16>) -> tensor<1x16xf16> {
  // expected-error @+1 {{'snn.tanh' op operand #0 must be statically shaped tensor of 32-bit float values, but got 'tensor<1x16xf16>'}}
  %y = "snn.tanh"(%x) : (tensor<1x16xf16>) -> tensor<1x16xf16>
  return %y : tensor<1x16xf16>
}

// -----

func.func @dropout_rate(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  // expected-error @+1 {{'snn.dropout' op rate must be in [0, 1), but is 1}}
  %y = "snn.dropout"(%x) {rate = 1.0 : f32} : (tensor<1x16xf32>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// -----

func.func @dropout_missing_rate(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  // expected-error @+1 {{'snn.dropout' op requires attribute 'rate'}}
  %y = "snn.dropout"(%x) : (tensor<1x16xf32>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// -----

func.func @flatten_rank(%x: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'snn.flatten' op input must have a batch dimension and at least one more (rank >= 2), but has shape 16}}
  %y = "snn.flatten"(%x) : (tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

func.func @flatten_result(%x: tensor<1x16x5x5xf32>) -> tensor<1x80xf32> {
  // expected-error @+1 {{'snn.flatten' op result shape 1x80 does not match the shape implied by the operands, 1x400}}
  %y = "snn.flatten"(%x) : (tensor<1x16x5x5xf32>) -> tensor<1x80xf32>
  return %y : tensor<1x80xf32>
}

// -----

func.func @softmax_rank(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'snn.softmax' op input must have at least one dimension}}
  %y = "snn.softmax"(%x) : (tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}

// -----

func.func @softmax_result(%x: tensor<2x10xf32>) -> tensor<1x10xf32> {
  // expected-error @+1 {{'snn.softmax' op result shape 1x10 does not match the shape implied by the operands, 2x10}}
  %y = "snn.softmax"(%x) : (tensor<2x10xf32>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}

// -----

func.func @add_shapes(%a: tensor<1x12xf32>, %b: tensor<1x10xf32>) -> tensor<1x12xf32> {
  // expected-error @+1 {{'snn.add' op rhs shape 1x10 does not match lhs shape 1x12}}
  %y = "snn.add"(%a, %b) : (tensor<1x12xf32>, tensor<1x10xf32>) -> tensor<1x12xf32>
  return %y : tensor<1x12xf32>
}

// -----

func.func @batchnorm_rank(%x: tensor<1x6x5xf32>, %c: tensor<6xf32>) -> tensor<1x6x5xf32> {
  // expected-error @+1 {{'snn.batchnorm' op input must be 2-D or 4-D (N x C or N x C x H x W), but has rank 3 (shape 1x6x5)}}
  %y = "snn.batchnorm"(%x, %c, %c, %c, %c) : (tensor<1x6x5xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x5xf32>
  return %y : tensor<1x6x5xf32>
}

// -----

func.func @batchnorm_scale(%x: tensor<1x6x5x5xf32>, %c: tensor<6xf32>, %s: tensor<5xf32>) -> tensor<1x6x5x5xf32> {
  // expected-error @+1 {{'snn.batchnorm' op scale must have 6 elements (one per channel), but has shape 5}}
  %y = "snn.batchnorm"(%x, %s, %c, %c, %c) : (tensor<1x6x5x5xf32>, tensor<5xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x5x5xf32>
  return %y : tensor<1x6x5x5xf32>
}

// -----

func.func @batchnorm_shift(%x: tensor<1x6x5x5xf32>, %c: tensor<6xf32>, %s: tensor<6x1xf32>) -> tensor<1x6x5x5xf32> {
  // expected-error @+1 {{'snn.batchnorm' op shift must have 6 elements (one per channel), but has shape 6x1}}
  %y = "snn.batchnorm"(%x, %c, %s, %c, %c) : (tensor<1x6x5x5xf32>, tensor<6xf32>, tensor<6x1xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x5x5xf32>
  return %y : tensor<1x6x5x5xf32>
}

// -----

func.func @batchnorm_mean(%x: tensor<1x6x5x5xf32>, %c: tensor<6xf32>, %s: tensor<7xf32>) -> tensor<1x6x5x5xf32> {
  // expected-error @+1 {{'snn.batchnorm' op mean must have 6 elements (one per channel), but has shape 7}}
  %y = "snn.batchnorm"(%x, %c, %c, %s, %c) : (tensor<1x6x5x5xf32>, tensor<6xf32>, tensor<6xf32>, tensor<7xf32>, tensor<6xf32>) -> tensor<1x6x5x5xf32>
  return %y : tensor<1x6x5x5xf32>
}

// -----

func.func @batchnorm_var(%x: tensor<1x6x5x5xf32>, %c: tensor<6xf32>, %s: tensor<3xf32>) -> tensor<1x6x5x5xf32> {
  // expected-error @+1 {{'snn.batchnorm' op var must have 6 elements (one per channel), but has shape 3}}
  %y = "snn.batchnorm"(%x, %c, %c, %c, %s) : (tensor<1x6x5x5xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<3xf32>) -> tensor<1x6x5x5xf32>
  return %y : tensor<1x6x5x5xf32>
}

// -----

func.func @batchnorm_epsilon(%x: tensor<1x6xf32>, %c: tensor<6xf32>) -> tensor<1x6xf32> {
  // expected-error @+1 {{'snn.batchnorm' op epsilon must be non-negative and finite, but is -1}}
  %y = "snn.batchnorm"(%x, %c, %c, %c, %c) {epsilon = -1.0 : f32} : (tensor<1x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  return %y : tensor<1x6xf32>
}

// -----

func.func @flatten_overflow(%x: tensor<1x4294967296x4294967296xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{'snn.flatten' op input shape 1x4294967296x4294967296 has more features than fit in 64 bits}}
  %y = "snn.flatten"(%x) : (tensor<1x4294967296x4294967296xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

func.func @format_nm_order(%x: tensor<1x4xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{#snn.format<nm, N, M> needs 0 < N < M, but has N = 4, M = 2}}
  %y = "snn.dense"(%x, %w) {format = #snn.format<nm, 4, 2>} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @format_nm_arity(%x: tensor<1x4xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{#snn.format<nm, N, M> takes 2 parameters, but has 1}}
  %y = "snn.dense"(%x, %w) {format = #snn.format<nm, 2>} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @format_block_size(%x: tensor<1x4xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{#snn.format<block, R, C> needs positive block sizes, but has 4x0}}
  %y = "snn.dense"(%x, %w) {format = #snn.format<block, 4, 0>} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @format_block_arity(%x: tensor<1x4xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{#snn.format<block, R, C> takes 2 parameters, but has 3}}
  %y = "snn.dense"(%x, %w) {format = #snn.format<block, 4, 1, 1>} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @format_csr_params(%x: tensor<1x4xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{#snn.format<csr> takes no parameters, but has 1}}
  %y = "snn.dense"(%x, %w) {format = #snn.format<csr, 16>} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @format_kind(%x: tensor<1x4xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+2 {{expected ::sparsec::snn::FormatKind to be one of: dense, csr, nm, block}}
  // expected-error @+1 {{failed to parse SparseNN_FormatAttr parameter 'kind'}}
  %y = "snn.dense"(%x, %w) {format = #snn.format<coo>} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
