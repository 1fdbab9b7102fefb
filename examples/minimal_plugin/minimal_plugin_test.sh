#!/bin/bash
# The example plug-in builds outside the tree, from the installed header
# alone, with plain `cc`, exports ipcconf_iut_v2, and passes the pipe clauses.
#
# usage: minimal_plugin_test.sh INSTALL_HEADER MINIMAL_PLUGIN_C MAKEFILE IPCCONF
set -eu
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
install_header=$(abs "$1")
source_c=$(abs "$2")
makefile=$(abs "$3")
ipcconf=$(abs "$4")

fail() {
    echo "FAIL: $*"
    exit 1
}

tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/minimal_plugin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
inc=$tmp/include
build=$tmp/build
mkdir -p "$build"

echo "=== install the header into $inc"
"$install_header" "$inc" || fail "install_header exited $?"
installed=$(cd "$inc" && find . -type f | sort)
[ "$installed" = "./ipcconf/iut.h" ] || fail "install_header installed: $installed (expected only ./ipcconf/iut.h)"

echo "=== build libminimal.so with cc, outside the tree"
cp "$source_c" "$makefile" "$build/"
# Only the installed header is on the include path: it must be self-contained.
if command -v make > /dev/null; then
    make -C "$build" IPCCONF_INCLUDE="$inc" CC=cc || fail "make exited $?"
else
    (cd "$build" && cc -std=c11 -Wall -Wextra -Werror -fPIC -shared -O2 -I"$inc" \
        -o libminimal.so minimal_plugin.c) || fail "cc exited $?"
fi
so=$build/libminimal.so
[ -f "$so" ] || fail "no $so"

if command -v nm > /dev/null; then
    symbols=$(nm -D --defined-only "$so" | awk '$2 == "T" && $3 !~ /^_/ { print $3 }')
    echo "exported functions: $symbols"
    [ "$symbols" = "ipcconf_iut_v2" ] || fail "libminimal.so must export exactly ipcconf_iut_v2"
fi

echo "=== ipcconf run --impl $so --mechanism pipe"
out=$tmp/out.txt
set +e
"$ipcconf" run --impl "$so" --mechanism pipe > "$out" 2>&1
rc=$?
set -e
cat "$out"
[ "$rc" -eq 0 ] || fail "ipcconf exited $rc, expected 0"
last=$(grep -v '^[[:space:]]*$' "$out" | tail -n 1)
[[ $last =~ ^([0-9]+)\ passed,\ 0\ failed,\ ([0-9]+)\ skipped$ ]] ||
    fail "closing line is '$last', expected 'N passed, 0 failed, M skipped'"
[ "${BASH_REMATCH[1]}" -gt 0 ] || fail "no clause passed"
echo "PASS: ${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} skipped"
