// snn-prune: every granularity and criterion on weights small enough to check
// the masks element by element. Masks are only added or tightened, and the
// stored values stay.

// N:M keeps the N largest of every run of M weights along a row (ties: the
// earlier); with 2:4 every group of 4 has exactly 2 survivors.
// RUN: sparsec-opt %s -split-input-file --snn-prune="granularity=2:4" | FileCheck %s --check-prefix=NM24
// NM24-LABEL: func.func @dense
// NM24: arith.constant dense<{{\[\[}}1.000000e+00, -2.000000e+00, 3.000000e+00, -4.000000e+00, 5.000000e+00, 6.000000e+00, -7.000000e+00, 8.000000e+00]
// NM24: [[M:%.+]] = arith.constant dense<{{\[\[}}false, false, true, true, false, false, true, true], [true, false, false, true, true, true, false, false], [true, true, false, false, true, true, false, false], [true, true, false, false, true, true, false, false]]> : tensor<4x8xi1>
// NM24: [[P:%.+]] = snn.mask %{{.+}}, [[M]]
// NM24: snn.dense %arg0, [[P]]
// NM24-LABEL: func.func @conv
// NM24: arith.constant dense<{{\[\[\[\[}}false, true], [true, false]]], {{\[\[\[}}true, false], [false, true]]]]> : tensor<2x1x2x2xi1>

// RUN: sparsec-opt %s -split-input-file --snn-prune="granularity=4:8" | FileCheck %s --check-prefix=NM48
// NM48-LABEL: func.func @dense
// NM48: dense<{{\[\[}}false, false, false, false, true, true, true, true], [false, false, false, false, true, true, true, true], [true, true, true, true, false, false, false, false], [false, false, false, false, true, true, true, true]]> : tensor<4x8xi1>

// RUN: sparsec-opt %s -split-input-file --snn-prune="granularity=1:4" | FileCheck %s --check-prefix=NM14
// NM14-LABEL: func.func @dense
// NM14: dense<{{\[\[}}false, false, false, true, false, false, false, true], [true, false, false, false, true, false, false, false], [true, false, false, false, true, false, false, false], [true, false, false, false, true, false, false, false]]> : tensor<4x8xi1>

// RUN: sparsec-opt %s -split-input-file --snn-prune="granularity=3:8" | FileCheck %s --check-prefix=NM38
// NM38-LABEL: func.func @dense
// NM38: dense<{{\[\[}}false, false, false, false, false, true, true, true], [false, false, false, false, true, true, true, false], [true, true, true, false, false, false, false, false], [false, false, false, false, true, true, true, false]]> : tensor<4x8xi1>

// Unstructured magnitude: the 16 smallest of 32 (rows 1 and 3) go.
// RUN: sparsec-opt %s -split-input-file --snn-prune="sparsity=0.5" | FileCheck %s --check-prefix=UNS
// UNS-LABEL: func.func @dense
// UNS: dense<{{\[\[}}true, true, true, true, true, true, true, true], [false, false, false, false, false, false, false, false], [true, true, true, true, true, true, true, true], [false, false, false, false, false, false, false, false]]> : tensor<4x8xi1>

// 1x4 blocks by L1 norm: 10 26 / 1.1 3.0 / 12 4 / 0.8 1.2 -> the four
// smallest are rows 1 and 3.
// RUN: sparsec-opt %s -split-input-file --snn-prune="sparsity=0.5 granularity=1x4 criterion=l1" | FileCheck %s --check-prefix=B14
// B14-LABEL: func.func @dense
// B14: dense<{{\[\[}}true, true, true, true, true, true, true, true], [false, false, false, false, false, false, false, false], [true, true, true, true, true, true, true, true], [false, false, false, false, false, false, false, false]]> : tensor<4x8xi1>

// 4x1 blocks (columns of the 4 rows) by L2 norm: 9.07 2.25 3.17 4.14 5.19
// 6.14 7.10 8.09 -> columns 1-4 go. 8x1 blocks are cut to the 4 rows there are.
// RUN: sparsec-opt %s -split-input-file --snn-prune="sparsity=0.5 granularity=4x1 criterion=l2" | FileCheck %s --check-prefix=B41
// RUN: sparsec-opt %s -split-input-file --snn-prune="sparsity=0.5 granularity=8x1 criterion=l2" | FileCheck %s --check-prefix=B41
// B41-LABEL: func.func @dense
// B41: dense<{{\[\[}}true, false, false, false, false, true, true, true], [true, false, false, false, false, true, true, true], [true, false, false, false, false, true, true, true], [true, false, false, false, false, true, true, true]]> : tensor<4x8xi1>

// 4x4 blocks by mean magnitude: the left half (2.7 < 3.1) goes.
// RUN: sparsec-opt %s -split-input-file --snn-prune="sparsity=0.5 granularity=4x4" | FileCheck %s --check-prefix=B44
// B44-LABEL: func.func @dense
// B44: dense<{{\[\[}}false, false, false, false, true, true, true, true], [false, false, false, false, true, true, true, true], [false, false, false, false, true, true, true, true], [false, false, false, false, true, true, true, true]]> : tensor<4x8xi1>

// Whole output units by L2 norm: rows 1 (1.7) and 3 (0.7) go; in the conv,
// filter 0.
// RUN: sparsec-opt %s -split-input-file --snn-prune="sparsity=0.5 granularity=channel criterion=l2" | FileCheck %s --check-prefix=CH
// CH-LABEL: func.func @dense
// CH: dense<{{\[\[}}true, true, true, true, true, true, true, true], [false, false, false, false, false, false, false, false], [true, true, true, true, true, true, true, true], [false, false, false, false, false, false, false, false]]> : tensor<4x8xi1>
// CH-LABEL: func.func @conv
// CH: dense<{{\[\[\[\[}}false, false], [false, false]]], {{\[\[\[}}true, true], [true, true]]]]> : tensor<2x1x2x2xi1>

func.func @dense(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<[[1.0, -2.0, 3.0, -4.0, 5.0, 6.0, -7.0, 8.0], [0.5, 0.1, -0.2, 0.3, -0.9, 0.8, 0.7, -0.6], [9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3]]> : tensor<4x8xf32>
  %y = "snn.dense"(%x, %w) : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @conv(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[0.1, -0.3], [0.2, 0.0]]], [[[4.0, 1.0], [-2.0, 3.0]]]]> : tensor<2x1x2x2xf32>
  %y = "snn.conv2d"(%x, %w) : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
