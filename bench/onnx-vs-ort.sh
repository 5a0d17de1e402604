#!/usr/bin/env bash
# Fovea against ONNX Runtime on the torchvision models that onnx-models/export_torchvision.py writes: for each model
# (its opset-13 file), thread count and batch size, one `fovea bench --model FILE --vs ort --tsv` in a JVM of its
# own; one tab-separated table on stdout (the header once), progress on stderr.
#
#   bench/onnx-vs-ort.sh DIR              # DIR holds <model>-op13.onnx
#   ROUNDS=3 ROUND_SECONDS=1 THREADS="1 2" BATCHES="1 8" MODELS="resnet18 vgg11" SKIP="vgg11:8" \
#       bench/onnx-vs-ort.sh DIR > table.tsv
#
# FOVEA names the command to run (default: this checkout's ./fovea). SKIP lists model:batch pairs not to run. The
# columns are those of `fovea bench --model F --vs ort --tsv`, plus other_cpu: the CPU time other processes took
# while the pair was measured, in cores (0.5 = half a core busy on average; from /proc/stat and this script's child
# CPU time). On a shared host, rows with a high value are suspect.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_folder onnx-vs-ort "<model>-op13.onnx files" "${1:-}"
models="${MODELS:-resnet18 resnet50 googlenet inception_v3 mobilenet_v2 mobilenet_v3_small squeezenet1_1 densenet121 alexnet vgg11 efficientnet_b0 shufflenet_v2_x1_0}"
batches="${BATCHES:-1 8}"
round_seconds="${ROUND_SECONDS:-1}"
skip=" ${SKIP:-} "
bench_positive onnx-vs-ort "ROUNDS, THREADS and BATCHES" "$rounds" $threads_list $batches

for m in $models; do
  [ -f "$dir/$m-op13.onnx" ] || { echo "onnx-vs-ort: $dir/$m-op13.onnx does not exist" >&2; exit 2; }
done

bench_build

# Busy CPU time of the whole machine, in clock ticks: user, nice, system, irq, softirq, steal.
busy_ticks() {
  awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

# CPU seconds (user + system) of this shell's finished children, from the output of the `times` builtin in file $1
# (`times` must run in this shell itself: in a $(...) subshell it would count that subshell's children).
children_seconds() {
  awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); s += a[1] * 60 + a[2] }
                 print s }' "$1"
}

hz="$(getconf CLK_TCK)"
times_file="$(mktemp)"
trap 'rm -f "$times_file"' EXIT
header_done=no
for m in $models; do
  for t in $threads_list; do
    for b in $batches; do
      if [[ "$skip" == *" $m:$b "* ]]; then
        echo "onnx-vs-ort: skipping $m batch $b" >&2
        continue
      fi
      echo "onnx-vs-ort: $m, $t thread(s), batch $b" >&2
      ticks0="$(busy_ticks)"
      times > "$times_file"
      cpu0="$(children_seconds "$times_file")"
      wall0="$(date +%s.%N)"
      out="$(mktemp)"
      if ! "$fovea" bench --model "$dir/$m-op13.onnx" --vs ort --threads "$t" --batch "$b" \
          --rounds "$rounds" --round-seconds "$round_seconds" --tsv > "$out"; then
        echo "onnx-vs-ort: $m, $t thread(s), batch $b failed" >&2
        rm -f "$out"
        continue
      fi
      wall1="$(date +%s.%N)"
      times > "$times_file"
      cpu1="$(children_seconds "$times_file")"
      ticks1="$(busy_ticks)"
      other="$(awk -v t0="$ticks0" -v t1="$ticks1" -v hz="$hz" -v c0="$cpu0" -v c1="$cpu1" -v w0="$wall0" \
          -v w1="$wall1" 'BEGIN { o = ((t1 - t0) / hz - (c1 - c0)) / (w1 - w0); printf "%.2f", o < 0 ? 0 : o }')"
      if [ "$header_done" = no ]; then
        printf '%s\tother_cpu\n' "$(sed -n 1p "$out")"
        header_done=yes
      fi
      printf '%s\t%s\n' "$(sed -n 2p "$out")" "$other"
      rm -f "$out"
    done
  done
done
