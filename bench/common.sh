# Sourced by the bench/*.sh scripts, not run: the checkout's root, the fovea command, the settings every script
# reads from the environment, the folder argument and the checks, so that the scripts parse them alike.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
#   bench_folder SCRIPT "WHAT THE FOLDER HOLDS" "${1:-}"   # sets $dir, or prints the usage line and exits 2
#   bench_positive SCRIPT "NAMES" VALUE...                  # exits 2 unless every VALUE is a positive integer
#   bench_build                                             # builds $fovea's jar before anything is timed
#
# Environment: FOVEA (the command; default this checkout's ./fovea), THREADS (thread counts, default "1 2"),
# ROUNDS (default 3).

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fovea="${FOVEA:-$here/fovea}"
threads_list="${THREADS:-1 2}"
rounds="${ROUNDS:-3}"

# Sets dir to $3, a folder that must exist; otherwise the usage line of script $1, whose folder holds $2.
bench_folder() {
  dir="$3"
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "usage: bench/$1.sh DIR  (DIR: a folder of $2; got '${dir}')" >&2
    exit 2
  fi
}

# Exits 2, naming the settings $2, unless every further argument is a positive integer.
bench_positive() {
  local script="$1" names="$2" v
  shift 2
  for v in "$@"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "$script: $names must be positive integers, got '$v'" >&2; exit 2; }
  done
}

# Builds the command-line jar first if needed, so that no build falls inside a measurement.
bench_build() {
  "$fovea" --version >/dev/null 2>&1 || { "$fovea" --version; exit 1; }
}
