//===- Toolchain.cpp - Checks that Halide works next to MLIR ----*- C++ -*-===//
//
// Part of sparsec. Halide reports errors by throwing; this file catches at
// its boundary so that callers (built without exceptions) never see one.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Conversion/SNNToHalide/Toolchain.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <Halide.h>
#include <fmt/format.h>

using namespace sparsec;

std::string halide::hostTarget() {
  try {
    return Halide::get_host_target().to_string();
  } catch (const Halide::Error &e) {
    return std::string("unknown (") + e.what() + ")";
  }
}

namespace {

/// y(i) = 2 * x(i) + 1, vectorised: small, but it goes through Halide's whole
/// lowering and LLVM 14 code generation.
Halide::Pipeline tinyPipeline(Halide::ImageParam &x) {
  Halide::Func y("sparsec_doctor");
  Halide::Var i("i");
  y(i) = 2.0f * x(i) + 1.0f;
  y.vectorize(i, 8, Halide::TailStrategy::GuardWithIf);
  return Halide::Pipeline(y);
}

bool checkJit(llvm::raw_ostream &os) {
  Halide::ImageParam x(Halide::Float(32), 1, "x");
  Halide::Pipeline p = tinyPipeline(x);
  Halide::Buffer<float> in(37);
  for (int i = 0; i < 37; ++i)
    in(i) = float(i) - 10.0f;
  x.set(in);
  Halide::Buffer<float> out = p.realize({37});
  for (int i = 0; i < 37; ++i)
    if (out(i) != 2.0f * in(i) + 1.0f) {
      os << fmt::format("halide jit: FAILED (element {} is {}, expected {})\n",
                        i, out(i), 2.0f * in(i) + 1.0f);
      return false;
    }
  os << "halide jit: ok (" << Halide::get_jit_target_from_environment().to_string()
     << ")\n";
  return true;
}

bool checkAot(llvm::raw_ostream &os, const std::string &targetString) {
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("sparsec-doctor", dir)) {
    os << "halide aot " << targetString
       << ": FAILED (cannot create a temporary directory: " << ec.message()
       << ")\n";
    return false;
  }
  llvm::SmallString<128> obj(dir);
  llvm::sys::path::append(obj, "tiny.o");
  Halide::ImageParam x(Halide::Float(32), 1, "x");
  Halide::Pipeline p = tinyPipeline(x);
  bool ok = true;
  try {
    p.compile_to_object(obj.str().str(), {x}, "sparsec_doctor",
                        Halide::Target(targetString));
    uint64_t size = 0;
    if (llvm::sys::fs::file_size(obj, size) || size == 0) {
      os << "halide aot " << targetString << ": FAILED (no object written)\n";
      ok = false;
    } else {
      os << "halide aot " << targetString << ": ok (" << size
         << " byte object)\n";
    }
  } catch (const Halide::Error &e) {
    os << "halide aot " << targetString << ": FAILED (" << e.what() << ")\n";
    ok = false;
  }
  llvm::sys::fs::remove_directories(dir);
  return ok;
}

} // namespace

mlir::LogicalResult halide::checkToolchain(llvm::raw_ostream &os) {
  bool ok = true;
  os << "host target: " << hostTarget() << "\n";
  try {
    ok &= checkJit(os);
  } catch (const Halide::Error &e) {
    os << "halide jit: FAILED (" << e.what() << ")\n";
    ok = false;
  }
  for (const char *t : {"x86-64-linux-avx-avx2-f16c-fma-sse41-no_runtime",
                        "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41-no_runtime",
                        "arm-64-linux-no_runtime"})
    ok &= checkAot(os, t);
  return mlir::success(ok);
}
