// snn-prune with the first-order Taylor criterion |w dL/dw|, from gradients of
// the cross-entropy loss that the reference executor computes. The two
// calibration inputs are [1, 0, 0, 0], so only column 0 has gradients: Taylor
// keeps the tiny weights of column 0 and prunes the large ones of columns 1-3
// (the later first among equal scores), which magnitude would do the other
// way round.
// RUN: %f32 %t.cal "[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]"
// RUN: sparsec-opt %s --snn-prune="sparsity=0.5 criterion=taylor calibration=%t.cal" | FileCheck %s --check-prefix=TAYLOR
// TAYLOR: dense<{{\[\[}}true, true, true, true], [true, false, false, false], [true, false, false, false]]> : tensor<3x4xi1>
// RUN: sparsec-opt %s --snn-prune="sparsity=0.5" | FileCheck %s --check-prefix=MAG
// MAG: dense<{{\[\[}}false, false, true, true], [false, false, true, true], [false, false, true, true]]> : tensor<3x4xi1>

// Whole neurons by Taylor: the network predicts class 2, whose row has the
// largest |w0 (p - y)|; rows 0 and 1 go.
// RUN: sparsec-opt %s --snn-prune="sparsity=0.5 criterion=taylor calibration=%t.cal granularity=channel" | FileCheck %s --check-prefix=TCH
// TCH: dense<{{\[\[}}false, false, false, false], [false, false, false, false], [true, true, true, true]]> : tensor<3x4xi1>

// With labels (class 1 for both copies) row 1 has the largest score instead:
// |-0.02 (p1 - 1)| > |0.03 p2| > |0.01 p0|.
// RUN: %python -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('<2i',1,1))" %t.labels
// RUN: sparsec-opt %s --snn-prune="sparsity=0.5 criterion=taylor calibration=%t.cal labels=%t.labels granularity=channel" | FileCheck %s --check-prefix=TLAB
// TLAB: dense<{{\[\[}}false, false, false, false], [true, true, true, true], [false, false, false, false]]> : tensor<3x4xi1>

func.func @taylor(%x: tensor<1x4xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[0.01, 5.0, 6.0, 7.0], [-0.02, 5.0, 6.0, 7.0], [0.03, 5.0, 6.0, 7.0]]> : tensor<3x4xf32>
  %y = "snn.dense"(%x, %w) : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}
