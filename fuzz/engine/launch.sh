#!/usr/bin/env bash
# launch.sh -- runs one fuzz target's binary for a time budget (the <name>_run
# target; see fuzz/README.md).  Engine-agnostic: the Bazel target passes
# --engine, --binary, --corpus, --regressions and --dict; the user adds, after
# `bazel run ... --`:
#
#   --timeout_secs=N   fuzz for N seconds (default 60; 0 = until interrupted)
#   --out=DIR          where the growing corpus and crashes go
#                      (default /tmp/ipcconf-fuzz/<target>/<engine>)
#   --regression       only replay the corpus and regressions, then exit
#   --clean            empty DIR first
#   -- ARGS...         passed to the engine (libFuzzer flags, or afl-fuzz options;
#                      a --config=afl-cmplog build runs alone with `-- -c 0`)
#
# rules_fuzzing's launcher environment is honoured too: FUZZER_TIMEOUT_SECS,
# FUZZER_OUTPUT_CORPUS_DIR, FUZZER_ARTIFACTS_DIR, FUZZER_IS_REGRESSION,
# FUZZER_DICTIONARY_PATH, FUZZER_SEED_CORPUS_DIR.
set -euo pipefail

engine="" binary="" corpus="" regressions="" dict=""
timeout="${FUZZER_TIMEOUT_SECS:-60}"
out="${FUZZER_OUTPUT_CORPUS_DIR:-}"
regression="${FUZZER_IS_REGRESSION:-0}"
clean=0
extra=()

usage() { sed -n '2,18s/^# \{0,1\}//p' "$0"; }
die() { echo "launch.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--engine=*) engine="${1#*=}" ;;
	--binary=*) binary="${1#*=}" ;;
	--corpus=*) corpus="${1#*=}" ;;
	--regressions=*) regressions="${1#*=}" ;;
	--dict=*) dict="${1#*=}" ;;
	--timeout_secs=*) timeout="${1#*=}" ;;
	--out=*) out="${1#*=}" ;;
	--regression) regression=1 ;;
	--clean) clean=1 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	*) die "unknown option: $1 (see --help)" ;;
	esac
	shift
done
case "$timeout" in '' | *[!0-9]*) die "--timeout_secs wants a number of seconds" ;; esac
[ -n "$binary" ] || die "no --binary (run this through its Bazel _run target)"

# `bazel run` starts us in the runfiles tree; a direct call from bazel-bin does not.
if [ ! -e "$binary" ] && [ -d "$0.runfiles/ipcconf" ]; then
	cd "$0.runfiles/ipcconf"
fi
abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
binary=$(abs "$binary")
corpus=$(abs "${FUZZER_SEED_CORPUS_DIR:-$corpus}")
regressions=$(abs "$regressions")
dict="${FUZZER_DICTIONARY_PATH:-$dict}"
[ -z "$dict" ] || dict=$(abs "$dict")
target=$(basename "$binary" _bin)
out=$(abs "${out:-/tmp/ipcconf-fuzz/$target/$engine}")
artifacts=$(abs "${FUZZER_ARTIFACTS_DIR:-$out/artifacts}")

[ "$clean" = 1 ] && rm -rf "$out"
mkdir -p "$out/corpus" "$artifacts"
inputs=("$corpus")
[ -d "$regressions" ] && inputs+=("$regressions")

if [ "$regression" = 1 ] || [ "$engine" = replay ]; then
	[ "$engine" = replay ] && [ "$regression" != 1 ] &&
		echo "launch.sh: built without a fuzzing engine: replaying only." \
			"Add --config=libfuzzer or --config=afl to fuzz." >&2
	case "$engine" in
	libfuzzer) exec "$binary" -runs=0 "${inputs[@]}" ;;
	# AFL++'s driver runs the files it is given, but not directories.
	afl) find -L "${inputs[@]}" -type f ! -name 'README*' -print0 | xargs -0 "$binary" ;;
	*) exec "$binary" "${inputs[@]}" ;;
	esac
	exit
fi

case "$engine" in
libfuzzer)
	args=(-artifact_prefix="$artifacts/")
	[ "$timeout" -gt 0 ] && args+=(-max_total_time="$timeout")
	[ -n "$dict" ] && args+=(-dict="$dict")
	# The first directory is the one libFuzzer adds new inputs to.
	exec "$binary" "${args[@]}" "${extra[@]}" "$out/corpus" "${inputs[@]}"
	;;
afl)
	command -v afl-fuzz >/dev/null || die "afl-fuzz not found (Debian: apt install afl++)"
	# afl-fuzz takes one seed directory: gather corpus and regressions.
	seeds="$out/seeds"
	rm -rf "$seeds" && mkdir -p "$seeds"
	find -L "${inputs[@]}" -type f ! -name 'README*' -exec cp {} "$seeds/" \;
	args=(-i "$seeds" -o "$out/afl")
	[ "$timeout" -gt 0 ] && args+=(-V "$timeout")
	[ -n "$dict" ] && args+=(-x "$dict")
	export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_AUTORESUME=1
	# afl-fuzz sets the sanitizer options it needs (--config=afl-asan) and
	# refuses a user's that lack them.
	unset ASAN_OPTIONS UBSAN_OPTIONS MSAN_OPTIONS LSAN_OPTIONS
	[ -t 1 ] || export AFL_NO_UI=1
	exec afl-fuzz "${args[@]}" "${extra[@]}" -- "$binary"
	;;
*) die "unknown engine '$engine'" ;;
esac
