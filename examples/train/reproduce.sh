#!/usr/bin/env bash
# Reproduces the training targets of the runtime (README "Training"): trains
# each network dense from the seeded initial weights of make_nets.py, then
# prunes it gradually (Zhu & Gupta's cubic schedule) with masked fine-tuning,
# and prints one line per run with the test accuracy and the sparsity.
#
#   [SPARSEC_TRAIN_THREADS=2] bash examples/train/reproduce.sh [lenet300] [lenet5] [fashion] [lasso]
#                                      (default: all four; ~1.5 h on one core)
#
# Everything is written under .cache/train/ (git-ignored): the networks, the
# trained .mlir files, a JSON log per run and results.txt. The same command
# gives the same numbers: data order, initial weights and pruning are seeded.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SPARSEC="${SPARSEC:-$ROOT/build/bin/sparsec}"
OUT="${SPARSEC_TRAIN_OUT:-$ROOT/.cache/train}"
KERNEL="${SPARSEC_TRAIN_KERNEL:-reference}"
# Shards per batch (sparsec train --threads). Results are bit-identical from
# run to run for a given count, and differ slightly between counts (float
# sums in another order); the README says which count each number used.
THREADS="${SPARSEC_TRAIN_THREADS:-1}"
mkdir -p "$OUT"
[ -x "$SPARSEC" ] || { echo "no sparsec at $SPARSEC: run .ci/main (or ninja -C build sparsec) first" >&2; exit 2; }
MNIST="$(bash "$ROOT/.ci/fetch-data.sh" mnist | tail -1)"
python3 "$ROOT/examples/train/make_nets.py" "$OUT" >/dev/null

# run NAME NET DATA ARGS...: trains, then prints "NAME: accuracy A, sparsity S".
run() {
  local name=$1 net=$2 data=$3; shift 3
  "$SPARSEC" train "$net" --data "$data" -o "$OUT/$name.mlir" --log "$OUT/$name.json" \
    --kernel "$KERNEL" --threads "$THREADS" --progress lines --seed 1 "$@" | tee "$OUT/$name.txt"
  local acc
  acc=$("$SPARSEC" eval "$OUT/$name.mlir" --data "$data" | sed -n 's/^accuracy: //p')
  local line
  line="$name: test accuracy $acc, $(tail -1 "$OUT/$name.txt" | sed -E 's/^wrote [^:]*: //')"
  echo "$line" | tee -a "$OUT/results.txt"
}

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(lenet300 lenet5 fashion lasso)
for w in "${want[@]}"; do
  case "$w" in
    lenet300)
      run lenet300-dense "$OUT/lenet300.mlir" "$MNIST" --epochs 30 --batch-size 128 \
        --optimizer adam --lr 0.001 --lr-schedule cosine --lr-final 0.00001
      run lenet300-pruned "$OUT/lenet300-dense.mlir" "$MNIST" --epochs 40 --batch-size 128 \
        --optimizer adam --lr 0.0005 --lr-schedule cosine --lr-final 0.00001 \
        --prune gradual --sparsity 0.95 --prune-count 20 --global --l2 0.0001 ;;
    lenet5)
      run lenet5-dense "$OUT/lenet5.mlir" "$MNIST" --epochs 20 --batch-size 128 \
        --optimizer adam --lr 0.001 --lr-schedule cosine --lr-final 0.00001 --l2 0.0001
      run lenet5-pruned "$OUT/lenet5-dense.mlir" "$MNIST" --epochs 20 --batch-size 128 \
        --optimizer adam --lr 0.0005 --lr-schedule cosine --lr-final 0.00001 \
        --prune gradual --sparsity 0.95 --prune-count 10 --global --l2 0.0001 ;;
    fashion)
      FASHION="$(bash "$ROOT/.ci/fetch-data.sh" fashion | tail -1)"
      run fashion-dense "$OUT/lenet5.mlir" "$FASHION" --epochs 15 --batch-size 128 \
        --optimizer adam --lr 0.001 --lr-schedule cosine --lr-final 0.00001
      run fashion-pruned "$OUT/fashion-dense.mlir" "$FASHION" --epochs 20 --batch-size 128 \
        --optimizer adam --lr 0.0005 --lr-schedule cosine --lr-final 0.00001 \
        --prune gradual --sparsity 0.9 --prune-count 10 --global --l2 0.0001 ;;
    lasso)
      # Group lasso on every unit while gradual channel pruning removes 60 %
      # of the hidden layers' units (the classifier keeps its classes);
      # snn-eliminate-dead then deletes them, and the smaller network runs on
      # dense kernels.
      run lenet5-lasso "$OUT/lenet5-dense.mlir" "$MNIST" --epochs 10 --batch-size 128 \
        --optimizer adam --lr 0.0005 --lr-schedule cosine --lr-final 0.00001 \
        --group-lasso 0.02 --prune gradual --granularity channel --sparsity 0.6 --prune-count 10
      "$SPARSEC" optimize "$OUT/lenet5-lasso.mlir" -o "$OUT/lenet5-lasso-small.mlir"
      "$SPARSEC" stats --compare "$OUT/lenet5-dense.mlir" "$OUT/lenet5-lasso-small.mlir" \
        | tee -a "$OUT/results.txt"
      python3 "$ROOT/bench/net_speed.py" "$OUT/lenet5-dense.mlir" "$OUT/lenet5-lasso-small.mlir" \
        | tee -a "$OUT/results.txt" ;;
    *) echo "unknown run '$w' (lenet300, lenet5, fashion, lasso)" >&2; exit 2 ;;
  esac
done
