// The reference executor's element-wise, normalisation and shape ops against
// values worked out by hand (transcendentals to 6 significant digits).
// RUN: %f32 %t.x "[-2, -0.5, 0, 3]"
// RUN: %f32 %t.s "[1, 2, 3, 4]"
// RUN: %f32 %t.b "[1, 2]"
// RUN: %f32 %t.b4 "[1, 3, 0, 4]"
// RUN: sparsec run %s --function relu -i %t.x | FileCheck %s --check-prefix=RELU
// RUN: sparsec run %s --function sigmoid -i %t.x | FileCheck %s --check-prefix=SIGMOID
// RUN: sparsec run %s --function tanh -i %t.x | FileCheck %s --check-prefix=TANH
// RUN: sparsec run %s --function softmax -i %t.s | FileCheck %s --check-prefix=SOFTMAX
// RUN: sparsec run %s --function add -i %t.x | FileCheck %s --check-prefix=ADD
// RUN: sparsec run %s --function dropout -i %t.x | FileCheck %s --check-prefix=DROPOUT
// RUN: sparsec run %s --function batchnorm2d -i %t.b | FileCheck %s --check-prefix=BN2
// RUN: sparsec run %s --function batchnorm4d -i %t.b4 | FileCheck %s --check-prefix=BN4
// RUN: sparsec run %s --function flatten -i %t.b4 | FileCheck %s --check-prefix=FLATTEN

// RELU: [0] 0 0 0 3  (argmax 3)
func.func @relu(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = "snn.relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// SIGMOID: [0] 0.119203 0.377541 0.5 0.952574
func.func @sigmoid(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = "snn.sigmoid"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// TANH: [0] -0.964028 -0.462117 0 0.995055
func.func @tanh(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = "snn.tanh"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// exp(-3), exp(-2), exp(-1), 1 over their sum 1.553001.
// SOFTMAX: [0] 0.0320586 0.0871443 0.236883 0.643914  (argmax 3)
func.func @softmax(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = "snn.softmax"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// x + relu(x)
// ADD: [0] -2 -0.5 0 6
func.func @add(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %r = "snn.relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %y = "snn.add"(%x, %r) : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// Dropout is the identity in inference.
// DROPOUT: [0] -2 -0.5 0 3
func.func @dropout(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = "snn.dropout"(%x) {rate = 0.5 : f32} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// Channel 0: (1 - 1) / sqrt(3 + 1) * 2 + 0.5; channel 1: (2 - 0) / sqrt(0.25 + 1) * 1 - 1.
// BN2: [0] 0.5 0.788854
func.func @batchnorm2d(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %scale = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %shift = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 0.25]> : tensor<2xf32>
  %y = "snn.batchnorm"(%x, %scale, %shift, %mean, %var) {epsilon = 1.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// Default epsilon 1e-5: channel 0 (1, 3) - 2 over sqrt(1.00001); channel 1
// (0, 4) - 2 over sqrt(4.00001).
// BN4: [0] -0.999995 0.999995 -0.999999 0.999999
func.func @batchnorm4d(%x: tensor<1x2x1x2xf32>) -> tensor<1x2x1x2xf32> {
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %zero = arith.constant dense<0.0> : tensor<2xf32>
  %mean = arith.constant dense<2.0> : tensor<2xf32>
  %var = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %y = "snn.batchnorm"(%x, %one, %zero, %mean, %var) : (tensor<1x2x1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x1x2xf32>
  return %y : tensor<1x2x1x2xf32>
}

// FLATTEN: @flatten: output 1x4
// FLATTEN-NEXT: [0] 1 3 0 4  (argmax 3)
func.func @flatten(%x: tensor<1x2x1x2xf32>) -> tensor<1x4xf32> {
  %y = "snn.flatten"(%x) : (tensor<1x2x1x2xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
