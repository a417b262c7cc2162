# -*- Python -*-
# lit configuration for sparsec's tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SPARSEC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
# test/fuzz holds the fuzzer's inputs (replayed by .ci/fuzz.sh), not lit tests.
config.excludes = ["Inputs", "Utils", "lib", "fuzz", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py", "RuntimeTest.cpp"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sparsec_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%sparsec_src", config.sparsec_src_root))
config.substitutions.append(("%sparsec_obj", config.sparsec_obj_root))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(
    ("%f32", config.python_executable + " " +
     os.path.join(config.sparsec_src_root, "test", "Utils", "f32.py")))

# MNIST, fetched by .ci/fetch-data.sh into the git-ignored cache.
mnist = os.path.join(config.sparsec_src_root, ".cache", "data", "mnist")
if os.path.exists(os.path.join(mnist, "t10k-labels-idx1-ubyte")):
    config.available_features.add("mnist")
config.substitutions.append(("%mnist", mnist))

# Code for x86-64-avx512 is compiled and linked everywhere; it is run (and
# timed by --tune) only where the CPU has AVX-512.
try:
    if "avx512f" in open("/proc/cpuinfo").read():
        config.available_features.add("avx512")
except OSError:
    pass

utils = os.path.join(config.sparsec_src_root, "test", "Utils")
config.substitutions.append(
    ("%difftest", f"{config.python_executable} {utils}/difftest.py "
                  f"--sparsec {config.sparsec_tools_dir}/sparsec"))
config.substitutions.append(("%harness", os.path.join(utils, "harness.c")))
config.substitutions.append(("%cc-aarch64", "aarch64-linux-gnu-gcc"))
config.substitutions.append(("%qemu-aarch64", "qemu-aarch64 -L /usr/aarch64-linux-gnu"))
# In an ASan + UBSan build (-DSPARSEC_SANITIZE=ON, .ci/sanitize.sh) the C
# programs the tests link against generated objects are instrumented too,
# and any report fails the test.
if config.sparsec_sanitized:
    config.available_features.add("sanitized")
    config.environment["ASAN_OPTIONS"] = (
        "detect_leaks=0:abort_on_error=1:symbolize=1:allow_user_poisoning=0")
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    config.environment["ASAN_SYMBOLIZER_PATH"] = os.path.join(
        config.llvm_tools_dir, "llvm-symbolizer")
    sanitize = ("-fsanitize=address,undefined -fno-sanitize-recover=undefined "
                "-fno-omit-frame-pointer")
    config.substitutions.append(("%cxx", "clang++-19 " + sanitize))
    # Projects configured against the installed (instrumented) package.
    config.substitutions.append(
        ("%cmake_sanitize",
         "-DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 "
         f"'-DCMAKE_C_FLAGS={sanitize}' '-DCMAKE_CXX_FLAGS={sanitize}' "
         "'-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined'"))
    config.substitutions.append(("%cc", "clang-19 " + sanitize))
else:
    config.substitutions.append(("%cxx", "c++"))
    config.substitutions.append(("%cmake_sanitize", ""))
    config.substitutions.append(("%cc", "cc"))
# Halide's headers (HalideBuffer.h), for programs that call --train objects.
config.substitutions.append(("%halide_include", config.halide_include_dir))
# PyTorch 1.13 is Debian's python3-torch, for /usr/bin/python3 (not for a
# python3 found first on PATH).
config.substitutions.append(("%torch-python", "/usr/bin/python3"))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.sparsec_tools_dir, config.llvm_tools_dir]
tools = ["sparsec", "sparsec-opt", "lenet5-classify", "mnist-classify",
         "sparsec-runtime-test", "sparsec-halide-step-test", "finetune"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
config.substitutions.append(
    ("%preserve", f"{config.python_executable} {utils}/preserve.py "
                  f"--sparsec {config.sparsec_tools_dir}/sparsec "
                  f"--sparsec-opt {config.sparsec_tools_dir}/sparsec-opt"))
config.substitutions.append(
    ("%randnet", f"{config.python_executable} {utils}/randnet.py"))
