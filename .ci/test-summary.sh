#!/usr/bin/env bash
# Sums the JUnit reports the test run wrote (surefire's TEST-*.xml, every module) and fails when no test ran,
# so a build that silently skipped its tests cannot pass CI.
set -euo pipefail
cd "$(dirname "$0")/.."
total=0; failed=0; skipped=0
for dir in */target/surefire-reports; do
  [ -d "$dir" ] || continue
  read -r t f s < <(cat "$dir"/TEST-*.xml 2>/dev/null | grep -o '<testsuite [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { if (split($i, kv, "=") == 2) { gsub(/["\/>]/, "", kv[2]); a[kv[1]] = kv[2] } }
      t += a["tests"]; f += a["failures"] + a["errors"]; s += a["skipped"] }
    END { print t + 0, f + 0, s + 0 }')
  printf '  %-22s %5d tests, %d failed, %d skipped\n' "${dir%%/*}" "$t" "$f" "$s"
  total=$((total + t)); failed=$((failed + f)); skipped=$((skipped + s))
done
echo "tests run: $total, failed: $failed, skipped: $skipped"
[ "$total" -gt 0 ] || { echo "no test ran: the test command executed nothing" >&2; exit 1; }
[ "$failed" -eq 0 ] || { echo "$failed test(s) failed" >&2; exit 1; }
