// The sparse (CSR) convolution and the dense layer use each target's fused
// multiply-add on full-width vectors: AVX2 on ymm, AVX-512 on zmm, NEON fmla
// on four-lane registers.
// RUN: sparsec compile %s -o %t.avx2.o --target=x86-64-avx2 --emit=asm
// RUN: FileCheck %s --check-prefix=AVX2 < %t.avx2.s
// RUN: sparsec compile %s -o %t.avx512.o --target=x86-64-avx512 --emit=asm
// RUN: FileCheck %s --check-prefix=AVX512 < %t.avx512.s
// RUN: sparsec compile %s -o %t.neon.o --target=arm64-neon --emit=asm
// RUN: FileCheck %s --check-prefix=NEON < %t.neon.s

// AVX2-LABEL: asm_pipeline:
// AVX2: vfmadd{{[0-9]+}}ps {{.*}}%ymm{{[0-9]+}}, %ymm{{[0-9]+}}
// AVX2-NOT: %zmm
// AVX512-LABEL: asm_pipeline:
// AVX512: vfmadd{{[0-9]+}}ps {{.*}}%zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// NEON-LABEL: asm_pipeline:
// NEON: fmla v{{[0-9]+}}.4s, v{{[0-9]+}}.4s, v{{[0-9]+}}.{{4s|s\[[0-3]\]}}

func.func @asm(%x: tensor<1x8x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x8x3x3xf32>
  %mm = arith.constant dense<true> : tensor<16x8x3x3xi1>
  %p = "snn.mask"(%w, %mm) : (tensor<16x8x3x3xf32>, tensor<16x8x3x3xi1>) -> tensor<16x8x3x3xf32>
  %y = "snn.conv2d"(%x, %p) {padding = array<i64: 1, 1>, format = #snn.format<csr>} : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  %w2 = arith.constant dense<0.25> : tensor<16x16x1x1xf32>
  %z = "snn.conv2d"(%y, %w2) {format = #snn.format<dense>} : (tensor<1x16x16x16xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x16x16xf32>
  return %z : tensor<1x16x16x16xf32>
}
