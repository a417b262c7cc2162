# Shared by .ci/main and .ci/test: install Debian's packages, configure and
# build. Idempotent: packages already present are not fetched again, and the
# build directory is reused.
set -euo pipefail

SPARSEC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$SPARSEC_ROOT/build}"

# Everything sparsec needs to build and test, from Debian 12's archive.
PACKAGES=(
  cmake ninja-build g++ python3 ca-certificates
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
  libhalide14-0-dev libfmt-dev clang-14 zlib1g-dev
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  libonnx-dev libprotobuf-dev python3-torch clang-19 libclang-rt-19-dev
)

log() { printf '\n==> %s\n' "$*"; }

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all ${#PACKAGES[@]} Debian packages already installed"
    return
  fi
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  log "configuring and building in $BUILD_DIR"
  cmake -G Ninja -S "$SPARSEC_ROOT" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir >/dev/null
  ninja -C "$BUILD_DIR" "$@"
}
