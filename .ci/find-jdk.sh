# Prints the home of a JDK 25 or newer: $JAVA_HOME if it is one, else one installed in the system's JVM
# directory, else the `java` on PATH. Returns 1 when there is none.
fovea_jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

fovea_find_jdk25() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major="$(fovea_jdk_major "$candidate")"
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v javac >/dev/null; then
    candidate="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    major="$(fovea_jdk_major "$candidate")"
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  fi
  return 1
}
