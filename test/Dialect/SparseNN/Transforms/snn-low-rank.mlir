// snn-low-rank: dense(x, W, b) -> dense(dense(x, V^T), U S, b) from the SVD
// of W, with the rank from `energy` (of the squared singular values) or
// `rank`, only when r (M + K) MACs beat the nonzeros of W.
// RUN: sparsec-opt %s --snn-low-rank=energy=1.0 | FileCheck %s --check-prefix=FULL
// RUN: sparsec-opt %s --snn-low-rank=energy=0.99 | FileCheck %s --check-prefix=E99
// RUN: sparsec-opt %s --snn-low-rank=rank=2 | FileCheck %s --check-prefix=R2

// At full energy only the function-preserving factorisation happens: @rank1
// is an outer product, [1, 2, 3, 4] x [1, 1, 2, 2], so 8 MACs instead of 16;
// @dominant has full rank and stays.
// RUN: sparsec-opt %s --snn-low-rank=energy=1.0 -o %t.mlir
// RUN: %f32 --random %t.x 8 4
// RUN: sparsec run %s --function=rank1 -i %t.x -o %t.a && sparsec run %t.mlir --function=rank1 -i %t.x -o %t.b && %f32 --compare %t.b %t.a --rtol 1e-5
// FULL-LABEL: func.func @rank1
// FULL: [[B:%.+]] = arith.constant dense<[5.000000e-01, 0.000000e+00, -5.000000e-01, 1.000000e+00]> : tensor<4xf32>
// FULL: [[V:%.+]] = arith.constant dense<{{\[\[}}0.316227764, 0.316227764, 0.632455527, 0.632455527]]> : tensor<1x4xf32>
// FULL: [[H:%.+]] = snn.dense %arg0, [[V]] : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32>
// FULL: [[U:%.+]] = arith.constant dense<{{\[\[}}3.1622777], [6.32455539], [9.48683261], [12.6491108]]> : tensor<4x1xf32>
// FULL: snn.dense [[H]], [[U]], [[B]] : (tensor<2x1xf32>, tensor<4x1xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// FULL-LABEL: func.func @dominant
// FULL: snn.dense %arg0, %{{.+}} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>

// One singular value (40.1) holds 99.99 % of the energy of @dominant: rank 1,
// the mean 10.025 = 0.5 x 20.05 everywhere.
// E99-LABEL: func.func @dominant
// E99: [[V:%.+]] = arith.constant dense<5.000000e-01> : tensor<1x4xf32>
// E99: snn.dense %arg0, [[V]] : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32>
// E99: [[U:%.+]] = arith.constant dense<2.005000e+01> : tensor<4x1xf32>

// A given rank of 2 costs 2 (4 + 4) = 16 MACs, no fewer than the 16
// weights: nothing changes.
// R2-LABEL: func.func @rank1
// R2: snn.dense %arg0, %{{.+}}, %{{.+}} : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// R2-LABEL: func.func @dominant
// R2: snn.dense %arg0, %{{.+}} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>

func.func @rank1(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[1.0, 1.0, 2.0, 2.0], [2.0, 2.0, 4.0, 4.0], [3.0, 3.0, 6.0, 6.0], [4.0, 4.0, 8.0, 8.0]]> : tensor<4x4xf32>
  %b = arith.constant dense<[0.5, 0.0, -0.5, 1.0]> : tensor<4xf32>
  %y = "snn.dense"(%x, %w, %b) : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
func.func @dominant(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[10.1, 10.0, 10.0, 10.0], [10.0, 10.1, 10.0, 10.0], [10.0, 10.0, 10.1, 10.0], [10.0, 10.0, 10.0, 10.1]]> : tensor<4x4xf32>
  %m = arith.constant dense<true> : tensor<4x4xi1>
  %p = "snn.mask"(%w, %m) : (tensor<4x4xf32>, tensor<4x4xi1>) -> tensor<4x4xf32>
  %y = "snn.dense"(%x, %p) : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
