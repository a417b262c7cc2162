//===- TargetSpec.cpp - The machines sparsec generates code for -*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Conversion/SNNToHalide/TargetSpec.h"

#include <Halide.h>

using namespace sparsec::halide;

llvm::StringRef sparsec::halide::targetNames() {
  return "host, x86-64-avx2, x86-64-avx512, arm64-neon";
}

static TargetSpec avx2() {
  return {"x86-64-avx2", "x86-64-linux-avx-avx2-f16c-fma-sse41", 8, 16, 1};
}
static TargetSpec avx512() {
  return {"x86-64-avx512",
          "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41", 16,
          32, 1};
}
static TargetSpec neon() { return {"arm64-neon", "arm-64-linux", 4, 32, 1}; }

mlir::FailureOr<TargetSpec>
sparsec::halide::resolveTarget(llvm::StringRef name, int threads,
                               std::string &error) {
  TargetSpec spec;
  if (name == "x86-64-avx2") {
    spec = avx2();
  } else if (name == "x86-64-avx512") {
    spec = avx512();
  } else if (name == "arm64-neon") {
    spec = neon();
  } else if (name == "host") {
    Halide::Target host;
    try {
      host = Halide::get_host_target();
    } catch (const Halide::Error &e) {
      error = std::string("cannot detect the host: ") + e.what();
      return mlir::failure();
    }
    if (host.arch == Halide::Target::ARM && host.bits == 64) {
      spec = neon();
    } else if (host.arch == Halide::Target::X86 && host.bits == 64 &&
               host.has_feature(Halide::Target::AVX512_Skylake)) {
      spec = avx512();
    } else if (host.arch == Halide::Target::X86 && host.bits == 64 &&
               host.has_feature(Halide::Target::AVX2) &&
               host.has_feature(Halide::Target::FMA)) {
      spec = avx2();
    } else {
      error = "the host (" + host.to_string() +
              ") has neither AVX2+FMA, AVX-512 nor 64-bit NEON; pass "
              "--target explicitly";
      return mlir::failure();
    }
  } else {
    error = "unknown target '" + name.str() + "'; the targets are " +
            targetNames().str();
    return mlir::failure();
  }
  if (threads < 1) {
    error = "--threads must be at least 1, but is " + std::to_string(threads);
    return mlir::failure();
  }
  spec.threads = threads;
  return spec;
}
