#!/usr/bin/env bash
# Runs the whole lit suite in an ASan + UBSan build: every sparsec library,
# tool, example and test program instrumented (clang-19), and the C/C++
# programs the tests link against generated objects too (lit's %cc and %cxx).
# Any report fails its test (abort_on_error, halt_on_error; see
# test/lit.cfg.py). The build directory is the fuzzer's (.ci/fuzz.sh): one
# instrumented build serves both. The large differential suites run as a
# smaller sample there (test/Conversion/SNNToHalide/difftest-sanitized.test);
# the regular build runs them in full.
#
#   bash .ci/sanitize.sh      # prints "sanitized: N passed, N failed"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SAN_DIR="${FUZZ_DIR:-$SPARSEC_ROOT/build-fuzz}"

install_deps
log "configuring and building the test programs in $SAN_DIR (clang-19, ASan, UBSan)"
CC=clang-19 CXX=clang++-19 cmake -G Ninja -S "$SPARSEC_ROOT" -B "$SAN_DIR" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPARSEC_FUZZ=ON \
  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir >/dev/null
ninja -C "$SAN_DIR" sparsec-test-depends

log "running the lit suite under ASan + UBSan"
LIT=/usr/lib/llvm-19/build/utils/lit/lit.py
LOG="$SAN_DIR/lit-sanitized.log"
set +e
python3 "$LIT" -sv "$SAN_DIR/test" 2>&1 | tee "$LOG"
set -e
count() {
  local n
  n=$(grep -E "^ *$1 *: *[0-9]+" "$LOG" | sed -E 's/[^:]*: *([0-9]+).*/\1/' | head -1 || true)
  echo "${n:-0}"
}
passed=$(( $(count Passed) + $(count "Expectedly Failed") ))
failed=$(( $(count Failed) + $(count Unresolved) + $(count "Timed Out") \
         + $(count "Unexpectedly Passed") ))
grep -q "^Total Discovered Tests" "$LOG" || failed=$(( failed + 1 ))
echo "sanitized: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
