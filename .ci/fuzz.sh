#!/usr/bin/env bash
# Fuzzes sparsec: builds tools/sparsec-fuzz (libFuzzer) with clang-19, every
# library instrumented for coverage, AddressSanitizer and UBSan, in its own
# build directory; replays the regression inputs of test/fuzz/regressions;
# then fuzzes from the seed corpus test/fuzz/corpus for SPARSEC_FUZZ_SECONDS
# (default 60). New inputs go to a scratch corpus in the build directory, never
# into the repository; a crash is written to $FUZZ_DIR/artifacts/ and fails
# the script. Prints "fuzz: N runs in S s, no crash" on success.
#
#   bash .ci/fuzz.sh                               # CI: 60 s
#   SPARSEC_FUZZ_SECONDS=3600 SPARSEC_FUZZ_SEED=0 bash .ci/fuzz.sh   # a longer campaign
#
# Every crash it finds becomes a file in test/fuzz/regressions/ once fixed.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

FUZZ_DIR="${FUZZ_DIR:-$SPARSEC_ROOT/build-fuzz}"
SECONDS_TO_RUN="${SPARSEC_FUZZ_SECONDS:-60}"
# CI fuzzes from a fixed seed; SPARSEC_FUZZ_SEED=0 lets libFuzzer pick one.
SEED="${SPARSEC_FUZZ_SEED:-1}"

install_deps
log "configuring and building sparsec-fuzz in $FUZZ_DIR (clang-19, ASan, UBSan)"
CC=clang-19 CXX=clang++-19 cmake -G Ninja -S "$SPARSEC_ROOT" -B "$FUZZ_DIR" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPARSEC_FUZZ=ON \
  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir >/dev/null
ninja -C "$FUZZ_DIR" sparsec-fuzz

FUZZER="$FUZZ_DIR/bin/sparsec-fuzz"
mkdir -p "$FUZZ_DIR/artifacts" "$FUZZ_DIR/corpus"
# Leaks at exit belong to MLIR's and Halide's process-lifetime singletons.
# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons the unused part of
# a slab when the code that inlines it is instrumented (ours) but not when it
# is not (libMLIR.so). MLIR's attribute uniquer shares one allocator between
# both, so objects libMLIR places in a slab our code started stay poisoned,
# and reading them reports "use-after-poison" where there is no bug
# (test/fuzz/regressions/asan-user-poisoning-floatattr.mlir). Real heap
# errors are still caught: they do not rely on manual poisoning.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:symbolize=1:allow_user_poisoning=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

log "replaying test/fuzz/regressions"
"$FUZZER" -runs=0 -artifact_prefix="$FUZZ_DIR/artifacts/" \
  "$SPARSEC_ROOT/test/fuzz/regressions" 2>&1 | tail -2

log "fuzzing for $SECONDS_TO_RUN s from test/fuzz/corpus"
LOG="$FUZZ_DIR/fuzz.log"
set +e
"$FUZZER" -max_total_time="$SECONDS_TO_RUN" -seed="$SEED" -timeout=30 -rss_limit_mb=4096 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix="$FUZZ_DIR/artifacts/" \
  -dict="$SPARSEC_ROOT/test/fuzz/snn.dict" \
  "$FUZZ_DIR/corpus" "$SPARSEC_ROOT/test/fuzz/corpus" >"$LOG" 2>&1
status=$?
set -e
if [ $status -ne 0 ]; then
  tail -60 "$LOG"
  echo "fuzz: FAILED (exit $status); the input is in $FUZZ_DIR/artifacts/"
  exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -1)
echo "fuzz: ${runs:-?} runs in $SECONDS_TO_RUN s, no crash"
