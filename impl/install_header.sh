#!/bin/sh
# Installs the plug-in header, ipcconf/iut.h, so that an implementation can
# be built outside this tree (docs/plugins.md):
#
#     bazel run //impl:install_header -- [INCLUDE_DIR]    # default /usr/local/include
#
# It writes INCLUDE_DIR/ipcconf/iut.h and nothing else: the header is
# self-contained.
set -eu
dest=${1:-/usr/local/include}

# `bazel run` starts us in the runfiles tree: a relative INCLUDE_DIR means
# the directory the command was typed in.
case $dest in
/*) ;;
*) dest=${BUILD_WORKING_DIRECTORY:-$PWD}/$dest ;;
esac

header=
for dir in "${RUNFILES_DIR:-}" "$0.runfiles"; do
    if [ -n "$dir" ] && [ -f "$dir/ipcconf/impl/include/ipcconf/iut.h" ]; then
        header=$dir/ipcconf/impl/include/ipcconf/iut.h
        break
    fi
done
if [ -z "$header" ] && [ -f impl/include/ipcconf/iut.h ]; then
    header=impl/include/ipcconf/iut.h
fi
if [ -z "$header" ]; then
    echo "install_header: cannot find ipcconf/iut.h in the runfiles; use bazel run //impl:install_header" >&2
    exit 1
fi

mkdir -p "$dest/ipcconf"
cp "$header" "$dest/ipcconf/iut.h.tmp$$"
chmod 0644 "$dest/ipcconf/iut.h.tmp$$"
mv -f "$dest/ipcconf/iut.h.tmp$$" "$dest/ipcconf/iut.h"
echo "installed $dest/ipcconf/iut.h"
