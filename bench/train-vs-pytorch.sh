#!/usr/bin/env bash
# One fashion-cnn training epoch in Fovea and in PyTorch (python3 with torch; bench/fashion_cnn_pytorch.py is the
# same network and recipe: Adam 1e-3, batch 64, Glorot-uniform init, no augmentation), in alternating rounds at the
# same thread count; prints every round's epoch seconds and test accuracy, then both medians and the ratio
# Fovea / PyTorch (below 1: Fovea faster).
#
#   bench/train-vs-pytorch.sh DIR                      # DIR: Fashion-MNIST's four IDX files (.gz or not)
#   THREADS="1 2" ROUNDS=3 EPOCHS=1 bench/train-vs-pytorch.sh DIR
#
# With EPOCHS above 1 each run's first epoch (JIT and allocator warm-up on both sides) is left out of the medians.
# FOVEA names the command to run (default: this checkout's ./fovea); LIMIT=N trains on the first N images only (a
# quick check of the script, not a measurement).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_folder train-vs-pytorch "Fashion-MNIST's IDX files" "${1:-}"
epochs="${EPOCHS:-1}"
limit="${LIMIT:-0}"
bench_positive train-vs-pytorch "ROUNDS, EPOCHS, THREADS and LIMIT" "$rounds" "$epochs" $threads_list "$((limit + 1))"
# PYTHON: an interpreter with torch; by default the first of python3 on the PATH and the system's /usr/bin/python3.
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for p in python3 /usr/bin/python3; do
    if "$p" -c 'import torch' 2>/dev/null; then python="$p"; break; fi
  done
fi
[ -n "$python" ] && "$python" -c 'import torch' 2>/dev/null \
  || { echo "train-vs-pytorch: no python3 that imports torch (set PYTHON=...; tried '${python:-python3, /usr/bin/python3}')" >&2; exit 1; }
bench_build

# Epoch seconds and test accuracy from lines "epoch E/N: ... test accuracy A, S s", warm-up epoch dropped.
epochs_of() {
  awk -v skip="$([ "$epochs" -gt 1 ] && echo 1 || echo 0)" '
    /^epoch [0-9]+\/[0-9]+:/ {
      split($2, e, "/"); n = e[1] + 0
      match($0, /test accuracy [0-9.]+/); acc = substr($0, RSTART + 14, RLENGTH - 14)
      match($0, /[0-9.]+ s$/); s = substr($0, RSTART, RLENGTH - 2)
      if (n > skip) print s, acc
    }'
}

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

printf 'threads\tround\tengine\tepoch_s\ttest_accuracy\n'
for t in $threads_list; do
  fovea_s=()
  torch_s=()
  for r in $(seq "$rounds"); do
    out="$("$fovea" train fashion-cnn --data "$dir" --epochs "$epochs" --batch 64 --lr 0.001 --schedule constant \
      --augment none --threads "$t" --limit "$limit" --no-progress 2>/dev/null | epochs_of)"
    while read -r s acc; do
      printf '%s\t%s\tfovea\t%s\t%s\n' "$t" "$r" "$s" "$acc"
      fovea_s+=("$s")
    done <<< "$out"
    out="$(OMP_NUM_THREADS="$t" MKL_NUM_THREADS="$t" "$python" "$here/bench/fashion_cnn_pytorch.py" --data "$dir" \
      --epochs "$epochs" --threads "$t" --limit "$limit" 2>/dev/null | epochs_of)"
    while read -r s acc; do
      printf '%s\t%s\tpytorch\t%s\t%s\n' "$t" "$r" "$s" "$acc"
      torch_s+=("$s")
    done <<< "$out"
  done
  fm="$(printf '%s\n' "${fovea_s[@]}" | median)"
  pm="$(printf '%s\n' "${torch_s[@]}" | median)"
  awk -v t="$t" -v f="$fm" -v p="$pm" \
    'BEGIN { printf "# %s threads: median epoch Fovea %.1f s, PyTorch %.1f s, Fovea/PyTorch %.3f\n", t, f, p, f / p }'
done
