#!/bin/sh
# Runs a conformance test binary against the plug-in named by IPCCONF_IMPL_SO:
#   bazel test --test_env=IPCCONF_IMPL_SO=/abs/libfoo.so //conformance/pipe:pipe_external_test
set -eu
bin=$1
shift
if [ -z "${IPCCONF_IMPL_SO:-}" ]; then
    echo "external_test: set IPCCONF_IMPL_SO to the absolute path of the plug-in (--test_env=IPCCONF_IMPL_SO=...)" >&2
    exit 2
fi
exec "$bin" run --impl "$IPCCONF_IMPL_SO" "$@"
