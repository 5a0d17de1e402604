#!/usr/bin/env bash
# Regenerates bindings equivalent to src/main/java/dev/fovea/backend/cudnn/bind/{CudaRuntime,Cudnn}.java with
# jextract (JDK 22+ jextract, https://jdk.java.net/jextract/) on a machine with the CUDA 12 toolkit and cuDNN 9
# headers. Output goes to target/jextract (never committed: it is generated from NVIDIA's headers).
#   CUDA_HOME=/usr/local/cuda CUDNN_INCLUDE=/usr/include ./regenerate.sh
# Differences from the hand-written classes: jextract emits enum constants as static methods
# (CUDNN_DATA_FLOAT()) and loads the library itself (--library); ours installs the SymbolLookup after
# CudnnLibraries checked that every sub-library exists (a missing one makes cuDNN abort() the JVM).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../target/jextract"
CUDA_HOME="${CUDA_HOME:-/usr/local/cuda}"
CUDNN_INCLUDE="${CUDNN_INCLUDE:-$CUDA_HOME/include}"
mkdir -p "$out"

includes() { # $1: option, $2: list file
  sed -e '/^#/d' -e '/^$/d' -e "s/^/$1 /" "$2" | tr '\n' ' '
}

# shellcheck disable=SC2046
jextract --output "$out" --target-package dev.fovea.backend.cudnn.bind \
  --header-class-name CudaRuntime --library :libcudart.so.12 \
  -I "$CUDA_HOME/include" \
  $(includes --include-function "$here/cudart.functions") \
  $(includes --include-constant "$here/cudart.constants") \
  "$CUDA_HOME/include/cuda_runtime_api.h"

# shellcheck disable=SC2046
jextract --output "$out" --target-package dev.fovea.backend.cudnn.bind \
  --header-class-name Cudnn --library :libcudnn.so.9 \
  -I "$CUDA_HOME/include" -I "$CUDNN_INCLUDE" \
  $(includes --include-function "$here/cudnn.functions") \
  $(includes --include-constant "$here/cudnn.constants") \
  --include-struct cudnnConvolutionFwdAlgoPerfStruct --include-typedef cudnnConvolutionFwdAlgoPerf_t \
  "$CUDNN_INCLUDE/cudnn.h"

echo "generated into $out"
