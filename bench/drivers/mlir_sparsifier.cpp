//===- mlir_sparsifier.cpp - Runs a kernel compiled by mlir-opt --sparsifier ===//
//
// The harness compiles, once per layer shape, a CSR linalg.matmul (or
// linalg.matvec for batch-1 FC) whose sparse operand is built from
// caller-owned arrays with sparse_tensor.assemble, so one kernel serves every
// sparsity of a shape. This driver dlopens that shared object and calls its
// C interface `_mlir_ciface_spmm`, passing MLIR memref descriptors. The
// kernel returns a freshly allocated result each call; it is freed by the
// next call inside the timed region (allocation is part of the cost of the
// generated code).
//
//   Y (M x N) = A (M x K, CSR, 32-bit positions/coordinates) * X (K x N)
//
// FC layers use X = x^T (transposed outside the timed region); a 3x3 conv
// runs im2col inside the timed region; 1x1 convs use the NCHW input as is.
//
//===----------------------------------------------------------------------===//
#include "common.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

using namespace bench;

template <typename T, int R> struct MemRef {
  T *allocated;
  T *aligned;
  int64_t offset;
  int64_t sizes[R];
  int64_t strides[R];
};

template <typename T> static MemRef<T, 1> view1(T *p, int64_t n) {
  return {p, p, 0, {n}, {1}};
}

using MatmulFn = void (*)(MemRef<float, 2> *, MemRef<int32_t, 1> *,
                          MemRef<int32_t, 1> *, MemRef<float, 1> *,
                          MemRef<float, 2> *);
using MatvecFn = void (*)(MemRef<float, 1> *, MemRef<int32_t, 1> *,
                          MemRef<int32_t, 1> *, MemRef<float, 1> *,
                          MemRef<float, 1> *);

int main(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  Case c = loadCase(o.caseDir);
  if (c.kind == "conv" && c.groups != 1)
    reportNA("grouped/depthwise convolution is not a matmul");
  if (o.threads != 1)
    reportNA("MLIR 19's --sparsifier has no OpenMP lowering: its parallel "
             "loops run sequentially");
  if (o.variant.empty())
    fail("--variant KERNEL.so is required");
  void *lib = dlopen(o.variant.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    fail(std::string("dlopen: ") + dlerror());
  void *sym = dlsym(lib, "_mlir_ciface_spmm");
  if (!sym)
    fail("kernel has no _mlir_ciface_spmm");

  CSR csr = toCSR(c);
  // assemble wants non-empty buffers even for an all-zero matrix.
  if (csr.col.empty()) {
    csr.col.push_back(0);
    csr.val.push_back(0.0f);
  }
  auto pos = view1(csr.rowptr.data(), int64_t(csr.rowptr.size()));
  auto crd = view1(csr.col.data(), int64_t(csr.col.size()));
  auto val = view1(csr.val.data(), int64_t(csr.val.size()));

  std::vector<float> x, y(c.outSize());
  if (c.isFC())
    x = transpose(c.x, c.N, c.K);
  else if (c.isPointwise())
    x = c.x;
  else
    x.resize(size_t(c.K) * c.N);
  bool conv = !c.isFC() && !c.isPointwise();

  // The previous call's result is freed by the next call, so the timed
  // region holds the kernel's own allocation and nothing else.
  float *lastAllocated = nullptr, *lastData = nullptr;
  auto keep = [&](float *allocated, float *data) {
    std::free(lastAllocated);
    lastAllocated = allocated;
    lastData = data;
  };
  std::function<void()> run;
  if (c.isFC() && c.N == 1) {
    auto fn = reinterpret_cast<MatvecFn>(sym);
    auto xv = view1(x.data(), c.K);
    run = [&, fn, xv]() mutable {
      MemRef<float, 1> r;
      fn(&r, &pos, &crd, &val, &xv);
      keep(r.allocated, r.aligned + r.offset);
    };
  } else {
    auto fn = reinterpret_cast<MatmulFn>(sym);
    MemRef<float, 2> xm{x.data(), x.data(), 0, {c.K, c.N}, {c.N, 1}};
    run = [&, fn, xm]() mutable {
      if (conv)
        im2col(c, c.x.data(), x.data());
      MemRef<float, 2> r;
      fn(&r, &pos, &crd, &val, &xm);
      keep(r.allocated, r.aligned + r.offset);
    };
  }
  Stats s = measure(o, run);
  std::memcpy(y.data(), lastData, sizeof(float) * y.size());
  keep(nullptr, nullptr);
  std::vector<float> out = c.isFC() && c.N > 1 ? transpose(y, c.M, c.N) : y;
  writeOutput(o, out.data(), out.size());
  reportOK(s, "csr i32");
  return 0;
}
