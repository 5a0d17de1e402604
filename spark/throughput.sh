#!/usr/bin/env bash
# Images/s of the Spark classifier against a plain single-JVM Inference loop (dev.fovea.spark.Throughput, in the
# test sources): local[1], local[2], and a standalone cluster of a master and two 1-core workers on 127.0.0.1,
# all on the vector backend, one thread per task; on each, the loop and the Spark job take turns.
# Usage: spark/throughput.sh [--model fashion-cnn|FILE.onnx] [BATCH [ROUNDS [IMAGES]]]
# (default fashion-cnn 64 5 10000; with an ONNX file, IMAGES defaults to 200 rows of random input values).
# Builds what it needs (offline when Maven can), and stops every JVM it started.
set -euo pipefail
model=fashion-cnn
if [ "${1:-}" = --model ]; then
  model="${2:?--model needs fashion-cnn or an .onnx file}"; shift 2
  [ "$model" = fashion-cnn ] || model="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
fi
cd "$(dirname "$0")/.."
source .ci/find-jdk.sh
export JAVA_HOME="$(fovea_find_jdk25)"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
default_images=10000; [ "$model" = fashion-cnn ] || default_images=200
batch="${1:-64}"; rounds="${2:-5}"; images="${3:-$default_images}"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

mvn -q -B -pl spark -am package -DskipTests >/dev/null
mvn -q -B -pl spark -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/spark/target/test-classpath.txt" >/dev/null
flags=(-XX:+IgnoreUnrecognizedVMOptions -Dio.netty.tryReflectionSetAccessible=true --sun-misc-unsafe-memory-access=allow
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED)
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  flags+=("--add-opens=java.base/$p=ALL-UNNAMED")
done

# The standalone cluster: SPARK_HOME/jars holds links to the Maven jars; every JVM binds to 127.0.0.1.
mkdir -p "$work/home/jars"
tr ':' '\n' < spark/target/spark-classpath.txt | while read -r j; do ln -sf "$j" "$work/home/jars/"; done
export SPARK_HOME="$work/home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
port=$(( 20000 + RANDOM % 20000 ))
"$JAVA_HOME/bin/java" "${flags[@]}" -Dspark.master.rest.enabled=false -cp "$work/home/jars/*" \
  org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 > "$work/master.log" 2>&1 &
pids+=($!)
for w in 1 2; do
  mkdir -p "$work/w$w"
  "$JAVA_HOME/bin/java" "${flags[@]}" -cp "$work/home/jars/*" org.apache.spark.deploy.worker.Worker \
    "spark://127.0.0.1:$port" --host 127.0.0.1 --cores 1 --memory 1g --webui-port 0 --work-dir "$work/w$w" \
    > "$work/worker$w.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 120); do
  [ "$(grep -c 'Registering worker' "$work/master.log" 2>/dev/null || true)" -ge 2 ] && break
  sleep 1
done
grep -q 'Registering worker' "$work/master.log" || { echo "the workers did not register; see $work" >&2; exit 1; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$JAVA_HOME/bin/java" "${flags[@]}" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "spark/target/test-classes:spark/target/classes:$(cat spark/target/test-classpath.txt)" \
  dev.fovea.spark.Throughput "$model" "$batch" "$rounds" "$images" 'local[1]' 'local[2]' "spark://127.0.0.1:$port" \
  "$PWD/spark/target/fovea-spark.jar" 2> "$work/driver.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
