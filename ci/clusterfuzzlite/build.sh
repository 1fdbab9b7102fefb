#!/bin/bash -eu
# build.sh -- builds every fuzz target the OSS-Fuzz / ClusterFuzzLite way.
#
# The contract (google/oss-fuzz docs; google/clusterfuzzlite build_integration):
# compile with $CC $CFLAGS, link each target with $CXX $CXXFLAGS and
# $LIB_FUZZING_ENGINE, and put into $OUT, per target <t>:
#   $OUT/<t>                   the fuzzer
#   $OUT/<t>_seed_corpus.zip   fuzz/<t>/corpus/ and fuzz/<t>/regressions/
#   $OUT/<t>.dict              fuzz/<t>/<t>.dict, when there is one
# Bazel is not needed: a target is a directory fuzz/<t>/ whose BUILD calls
# ipcconf_fuzz_test(name = "<t>"); its harness is the .c file(s) there that
# define LLVMFuzzerTestOneInput, and the libraries it links are the //impl/...
# packages its BUILD names, i.e. every non-test .c file of those directories.
# ci/fuzz-build-contract-test runs this script locally and checks the result.

here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/../../WORKSPACE" ]; then
	root=$(cd "$here/../.." && pwd)          # run from the source tree
elif [ -n "${SRC:-}" ] && [ -f "$SRC/ipcconf/WORKSPACE" ]; then
	root=$SRC/ipcconf                        # copied to $SRC/build.sh (Dockerfile)
else
	root=$PWD
fi
: "${CC:?CC is not set}" "${CFLAGS?CFLAGS is not set}" "${OUT:?OUT is not set}"
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE is not set}"
# OSS-Fuzz always sets these; a bare local run may not.
CXX=${CXX:-clang++}
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
work=${WORK:-$(mktemp -d)}/ipcconf-objs
mkdir -p "$work" "$OUT"

cd "$root"
# The project's own flags (.bazelrc): C dialect and include roots.
ccflags=(-std=gnu11 -I. -Iimpl/include -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)

compile() { # compile SRC -> prints the object's path; each source only once
	local obj="$work/$(echo "$1" | tr / _).o"
	[ -f "$obj" ] || $CC $CFLAGS "${ccflags[@]}" -c "$1" -o "$obj"
	echo "$obj"
}

seed_zip() { # seed_zip ZIP FILES...
	if command -v zip >/dev/null; then
		zip -q -j "$@"
	else
		python3 -m zipfile -c "$@"
	fi
}

built=0
for build in fuzz/*/BUILD; do
	dir=$(dirname "$build")
	t=$(basename "$dir")
	grep -q 'ipcconf_fuzz_test(' "$build" && grep -Eq "name *= *\"$t\"" "$build" || continue
	case "$t" in *[!A-Za-z0-9_-]*) echo "build.sh: bad fuzzer name '$t'" >&2; exit 1 ;; esac

	objs=()
	for src in $(grep -l LLVMFuzzerTestOneInput "$dir"/*.c); do
		objs+=("$(compile "$src")")
	done
	for pkg in $(grep -Eo '"//impl/[A-Za-z0-9_/]+' "$build" | cut -c4- | sort -u); do
		for src in "$pkg"/*.c; do
			case "$src" in *_test.c) continue ;; esac
			objs+=("$(compile "$src")")
		done
	done
	$CXX $CXXFLAGS "${objs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$t"

	rm -f "$OUT/${t}_seed_corpus.zip"
	seeds=$(find "$dir/corpus" "$dir/regressions" -maxdepth 1 -type f ! -name 'README*' ! -name '.*' 2>/dev/null | sort)
	[ -z "$seeds" ] || seed_zip "$OUT/${t}_seed_corpus.zip" $seeds
	[ ! -f "$dir/$t.dict" ] || cp "$dir/$t.dict" "$OUT/$t.dict"
	echo "build.sh: $OUT/$t"
	built=$((built + 1))
done
[ "$built" -gt 0 ] || { echo "build.sh: no fuzz targets found under $root/fuzz" >&2; exit 1; }
