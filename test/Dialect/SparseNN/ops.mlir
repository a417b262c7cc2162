// Every snn op in the generic form of the contract parses, verifies, prints
// in the custom form, and survives a round trip through both forms.
// RUN: sparsec-opt %s | FileCheck %s
// RUN: sparsec-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: sparsec-opt %s | sparsec-opt | FileCheck %s
// RUN: sparsec-opt %s --mlir-print-op-generic | sparsec-opt --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[X:.+]]: tensor<2x4xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{.+}}> : tensor<3x4xf32>
// CHECK: %[[M:.+]] = arith.constant dense<{{.+}}> : tensor<3x4xi1>
// CHECK: %[[B:.+]] = arith.constant dense<{{.+}}> : tensor<3xf32>
// CHECK: %[[P:.+]] = snn.mask %[[W]], %[[M]] : (tensor<3x4xf32>, tensor<3x4xi1>) -> tensor<3x4xf32>
// CHECK: %[[Y:.+]] = snn.dense %[[X]], %[[P]], %[[B]] {format = #snn.format<dense>} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[Z:.+]] = snn.dense %[[Y]], %{{.+}} {format = #snn.format<block, 1, 3>} : (tensor<2x3xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
// CHECK: return %[[Z]]
// GENERIC-LABEL: sym_name = "dense"
// GENERIC: "snn.mask"(%{{.+}}, %{{.+}}) : (tensor<3x4xf32>, tensor<3x4xi1>) -> tensor<3x4xf32>
// GENERIC: "snn.dense"(%{{.+}}, %{{.+}}, %{{.+}}) <{format = #snn.format<dense>}> : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// GENERIC: "snn.dense"(%{{.+}}, %{{.+}}) <{format = #snn.format<block, 1, 3>}> : (tensor<2x3xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
func.func @dense(%x: tensor<2x4xf32>) -> tensor<2x5xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %m = arith.constant dense<[[true, false, true, true], [false, false, false, false], [true, true, true, true]]> : tensor<3x4xi1>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %p = "snn.mask"(%w, %m) : (tensor<3x4xf32>, tensor<3x4xi1>) -> tensor<3x4xf32>
  %y = "snn.dense"(%x, %p, %b) {format = #snn.format<dense>} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %w2 = arith.constant dense<0.5> : tensor<5x3xf32>
  %z = "snn.dense"(%y, %w2) {format = #snn.format<block, 1, 3>} : (tensor<2x3xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
  return %z : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @conv
// CHECK: snn.conv2d %{{.+}}, %{{.+}}, %{{.+}} {dilations = array<i64: 2, 1>, groups = 2 : i64, padding = array<i64: 1, 2, 3, 0>, strides = array<i64: 2, 1>} : (tensor<1x4x9x9xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x5x9xf32>
// CHECK: snn.conv2d %{{.+}}, %{{.+}} {format = #snn.format<csr>} : (tensor<1x6x5x9xf32>, tensor<6x6x1x1xf32>) -> tensor<1x6x5x9xf32>
// CHECK: snn.conv2d %{{.+}}, %{{.+}} {format = #snn.format<nm, 2, 4>, groups = 6 : i64, padding = array<i64: 1, 1>} : (tensor<1x6x5x9xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x5x9xf32>
// GENERIC-LABEL: sym_name = "conv"
// GENERIC: "snn.conv2d"(%{{.+}}, %{{.+}}, %{{.+}}) <{dilations = array<i64: 2, 1>, groups = 2 : i64, padding = array<i64: 1, 2, 3, 0>, strides = array<i64: 2, 1>}>
func.func @conv(%x: tensor<1x4x9x9xf32>) -> tensor<1x6x5x9xf32> {
  %w = arith.constant dense<1.0> : tensor<6x2x3x3xf32>
  %b = arith.constant dense<0.0> : tensor<6xf32>
  // H: (9 + 1 + 3 - 2*2 - 1) / 2 + 1 = 5; W: (9 + 2 + 0 - 2 - 1) / 1 + 1 = 9.
  %y = "snn.conv2d"(%x, %w, %b) {strides = array<i64: 2, 1>, padding = array<i64: 1, 2, 3, 0>, dilations = array<i64: 2, 1>, groups = 2 : i64} : (tensor<1x4x9x9xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x5x9xf32>
  %w1 = arith.constant dense<1.0> : tensor<6x6x1x1xf32>
  %p = "snn.conv2d"(%y, %w1) {format = #snn.format<csr>} : (tensor<1x6x5x9xf32>, tensor<6x6x1x1xf32>) -> tensor<1x6x5x9xf32>
  // Depthwise, with the 2-element symmetric padding.
  %wd = arith.constant dense<1.0> : tensor<6x1x3x3xf32>
  %d = "snn.conv2d"(%p, %wd) {groups = 6 : i64, padding = array<i64: 1, 1>, format = #snn.format<nm, 2, 4>} : (tensor<1x6x5x9xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x5x9xf32>
  return %d : tensor<1x6x5x9xf32>
}

// CHECK-LABEL: func.func @pool
// CHECK: snn.maxpool2d %{{.+}} {kernel = array<i64: 2, 2>} : (tensor<1x3x7x13xf32>) -> tensor<1x3x3x6xf32>
// CHECK: snn.maxpool2d %{{.+}} {ceil_mode = true, dilations = array<i64: 1, 2>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x7x13xf32>) -> tensor<1x3x4x6xf32>
// CHECK: snn.avgpool2d %{{.+}} {count_include_pad = false, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x3x6xf32>) -> tensor<1x3x3x6xf32>
// CHECK: snn.avgpool2d %{{.+}} {ceil_mode = true, kernel = array<i64: 2, 2>} : (tensor<1x3x3x6xf32>) -> tensor<1x3x2x3xf32>
// CHECK: snn.global_avgpool %{{.+}} : (tensor<1x3x2x3xf32>) -> tensor<1x3x1x1xf32>
// GENERIC-LABEL: sym_name = "pool"
// GENERIC: "snn.maxpool2d"(%{{.+}}) <{kernel = array<i64: 2, 2>}> : (tensor<1x3x7x13xf32>) -> tensor<1x3x3x6xf32>
// GENERIC: "snn.avgpool2d"
// GENERIC: "snn.global_avgpool"(%{{.+}}) : (tensor<1x3x2x3xf32>) -> tensor<1x3x1x1xf32>
func.func @pool(%x: tensor<1x3x7x13xf32>) -> tensor<1x3x1x1xf32> {
  %a = "snn.maxpool2d"(%x) {kernel = array<i64: 2, 2>} : (tensor<1x3x7x13xf32>) -> tensor<1x3x3x6xf32>
  // H: ceil((7 + 2 - 2 - 1) / 2) + 1 = 4; W: ceil((13 + 2 - 4 - 1) / 2) + 1 = 6.
  %b = "snn.maxpool2d"(%x) {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 2>, ceil_mode = true} : (tensor<1x3x7x13xf32>) -> tensor<1x3x4x6xf32>
  %c = "snn.avgpool2d"(%a) {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : (tensor<1x3x3x6xf32>) -> tensor<1x3x3x6xf32>
  %d = "snn.avgpool2d"(%c) {kernel = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x3x3x6xf32>) -> tensor<1x3x2x3xf32>
  %g = "snn.global_avgpool"(%d) : (tensor<1x3x2x3xf32>) -> tensor<1x3x1x1xf32>
  return %g : tensor<1x3x1x1xf32>
}

// CHECK-LABEL: func.func @elementwise
// CHECK: %[[R:.+]] = snn.relu %{{.+}} : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
// CHECK: %[[S:.+]] = snn.sigmoid %[[R]] : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
// CHECK: %[[T:.+]] = snn.tanh %[[S]] : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
// CHECK: %[[A:.+]] = snn.add %[[T]], %[[R]] : (tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
// CHECK: %[[BN:.+]] = snn.batchnorm %[[A]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {epsilon = 1.000000e-03 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
// CHECK: %[[F:.+]] = snn.flatten %[[BN]] : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
// CHECK: %[[D:.+]] = snn.dropout %[[F]] {rate = 2.500000e-01 : f32} : (tensor<2x60xf32>) -> tensor<2x60xf32>
// CHECK: %[[B2:.+]] = snn.batchnorm %[[D]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<2x60xf32>, tensor<60xf32>, tensor<60xf32>, tensor<60xf32>, tensor<60xf32>) -> tensor<2x60xf32>
// CHECK: %[[SM:.+]] = snn.softmax %[[B2]] : (tensor<2x60xf32>) -> tensor<2x60xf32>
// CHECK: return %[[SM]]
// GENERIC-LABEL: sym_name = "elementwise"
// GENERIC: "snn.relu"
// GENERIC: "snn.sigmoid"
// GENERIC: "snn.tanh"
// GENERIC: "snn.add"
// GENERIC: "snn.batchnorm"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{epsilon = 1.000000e-03 : f32}>
// GENERIC: "snn.flatten"
// GENERIC: "snn.dropout"(%{{.+}}) <{rate = 2.500000e-01 : f32}>
// GENERIC: "snn.softmax"
func.func @elementwise(%x: tensor<2x3x4x5xf32>) -> tensor<2x60xf32> {
  %r = "snn.relu"(%x) : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  %s = "snn.sigmoid"(%r) : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  %t = "snn.tanh"(%s) : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  %a = "snn.add"(%t, %r) : (tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  %c = arith.constant dense<1.0> : tensor<3xf32>
  %bn = "snn.batchnorm"(%a, %c, %c, %c, %c) {epsilon = 1.0e-03 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  %f = "snn.flatten"(%bn) : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
  %d = "snn.dropout"(%f) {rate = 0.25 : f32} : (tensor<2x60xf32>) -> tensor<2x60xf32>
  %c60 = arith.constant dense<2.0> : tensor<60xf32>
  %b2 = "snn.batchnorm"(%d, %c60, %c60, %c60, %c60) : (tensor<2x60xf32>, tensor<60xf32>, tensor<60xf32>, tensor<60xf32>, tensor<60xf32>) -> tensor<2x60xf32>
  %sm = "snn.softmax"(%b2) : (tensor<2x60xf32>) -> tensor<2x60xf32>
  return %sm : tensor<2x60xf32>
}
