#!/bin/bash -eu
# build.sh -- builds every fuzz target the OSS-Fuzz / ClusterFuzzLite way.
#
# The contract (OSS-Fuzz base-builder; ClusterFuzzLite build integration):
# compile with $CC $CFLAGS, link with $CXX $CXXFLAGS and $LIB_FUZZING_ENGINE,
# keep intermediate files under $WORK, and put into $OUT for each target <t>:
#   $OUT/<t>                   the fuzzer
#   $OUT/<t>.options           fuzz/<t>/<t>.options (libFuzzer flags: dict, max_len)
#   $OUT/<t>_seed_corpus.zip   fuzz/<t>/corpus/ and fuzz/<t>/regressions/, flat
#   $OUT/<t>.dict              fuzz/<t>/<t>.dict, when there is one
# A target is a directory fuzz/<t>/ whose BUILD calls
# ipcconf_fuzz_test(name = "<t>"); compile_targets.py reads the BUILD files
# and compiles with plain compiler calls (there is no Bazel in the image).
# $SANITIZER is not read for flags -- they are all in $CFLAGS -- but it
# names the build.  ci/fuzz-build-contract-test runs this script for the
# address, undefined and memory sanitizers and checks the result.
set -euo pipefail  # also when started as `bash build.sh`, which drops the -eu above

here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/../WORKSPACE" ]; then
	root=$(cd "$here/.." && pwd)           # run from the source tree
elif [ -n "${SRC:-}" ] && [ -f "$SRC/ipcconf/WORKSPACE" ]; then
	root=$SRC/ipcconf                      # copied to $SRC/build.sh (Dockerfile)
elif [ -f WORKSPACE ]; then
	root=$PWD
else
	echo "build.sh: cannot find the ipcconf source tree (no WORKSPACE)" >&2
	exit 1
fi
: "${CC:?CC is not set}" "${CFLAGS?CFLAGS is not set}" "${OUT:?OUT is not set}"
: "${CXX:?CXX is not set}" "${CXXFLAGS?CXXFLAGS is not set}"
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE is not set}"

# Objects built under other flags must never be linked into this build,
# and a rebuild after a source edit must not reuse an old object: the object
# directory is named after every setting that changes code generation, and
# emptied first.  Two builds with different sanitizers in one $WORK thus
# neither share nor clobber each other's objects.
settings=$(printf '%s\n' "$CC" "$CFLAGS" "$CXX" "$CXXFLAGS" "$LIB_FUZZING_ENGINE" \
	"${SANITIZER:-}" "${ARCHITECTURE:-}")
key=$(printf '%s' "$settings" | sha256sum | cut -c1-16)
if [ -n "${WORK:-}" ]; then
	objdir=$WORK/ipcconf-objs-$key
else
	objdir=$(mktemp -d)
	trap 'rm -rf "$objdir"' EXIT
fi
rm -rf "$objdir"
mkdir -p "$objdir" "$OUT"
echo "build.sh: sanitizer ${SANITIZER:-(unset)}, objects in $objdir" >&2

targets=$(python3 "$root/.clusterfuzzlite/compile_targets.py" \
	--root "$root" --objdir "$objdir" --out "$OUT")

seed_zip() { # seed_zip ZIP FILE... -- a flat archive, FILEs under their base names
	if command -v zip >/dev/null; then
		zip -q -X -j "$@"
	else
		python3 -m zipfile -c "$@"
	fi
}

cd "$root"
for t in $targets; do
	dir=fuzz/$t
	rm -f "$OUT/$t.options" "$OUT/$t.dict" "$OUT/${t}_seed_corpus.zip"
	[ ! -f "$dir/$t.options" ] || cp "$dir/$t.options" "$OUT/$t.options"
	[ ! -f "$dir/$t.dict" ] || cp "$dir/$t.dict" "$OUT/$t.dict"
	seeds=""
	for sub in corpus regressions; do  # either may be missing: git keeps no empty directory
		[ ! -d "$dir/$sub" ] ||
			seeds+=$(find "$dir/$sub" -maxdepth 1 -type f ! -name 'README*' ! -name '.*' | sort)$'\n'
	done
	seeds=$(printf '%s' "$seeds" | sed '/^$/d')
	if [ -n "$seeds" ]; then
		names=$(printf '%s\n' "$seeds" | sed 's#.*/##')
		bad=$(grep -v '^[A-Za-z0-9._-]*$' <<<"$names" || true)
		if [ -n "$bad" ]; then
			echo "build.sh: $dir: seed names must be [A-Za-z0-9._-]:" "$(tr '\n' ' ' <<<"$bad")" >&2
			exit 1
		fi
		# The archive is flat: two seeds with one name would shadow each other.
		dup=$(sort <<<"$names" | uniq -d)
		if [ -n "$dup" ]; then
			echo "build.sh: $dir: corpus/ and regressions/ both hold:" "$(tr '\n' ' ' <<<"$dup")" >&2
			exit 1
		fi
		# shellcheck disable=SC2086  # checked above: no blanks, no globs
		seed_zip "$OUT/${t}_seed_corpus.zip" $seeds
	fi
	echo "build.sh: $OUT/$t"
done
