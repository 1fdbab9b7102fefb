"""ipcconf_conformance: one mechanism's clauses -> one test per implementation.

A mechanism lives in conformance/<mechanism>/: its BUILD calls
ipcconf_conformance(name = "<mechanism>", ...), and the mechanism registers
itself with the harness from its own sources (MECHANISM() and TABLE() of
conformance/harness/mechanism.h).  Nothing in conformance/harness names it.
"""

# The implementations every conformance source is run against, by name
# (`ipcconf run --impl NAME`).  The oracle comes first: a clause must pass on
# `os` (Linux) before it may judge anything else.
IMPLS = ["os", "ref", "ref-small"]

_BUILTINS = [
    "//impl/os",
    "//impl/ref",
]

def ipcconf_binary(name, clauses, testonly = False):
    """An ipcconf command-line binary carrying `clauses` and the built-in implementations."""
    native.cc_binary(
        name = name,
        srcs = ["//conformance:builtins.c"],
        deps = clauses + _BUILTINS + ["//conformance/harness:cli"],
        # Clauses, mechanisms and tables are found through linker sections
        # of the executable, so they must be linked into it.
        linkstatic = True,
        testonly = testonly,
    )

def ipcconf_conformance(name, srcs, impls = IMPLS, size = "small", deps = []):
    """Declares one mechanism's clauses and a test target per implementation.

    Produces, in the calling package (conformance/<name>):
      clauses: a cc_library holding the clauses (linked whole, since a
        clause is registered by being present in the binary);
      <name>_<impl>_test: a cc_test running those clauses against <impl>
        ("-" in an implementation's name becomes "_"), tagged
        mech_<name> and impl_<impl>;
      <name>_external_test: manual; runs against the plug-in named by
        IPCCONF_IMPL_SO (--test_env=IPCCONF_IMPL_SO=/abs/path.so).

    Args:
      name: the mechanism: the clause ids' prefix ("pipe").
      srcs: the clause sources.
      impls: built-in implementations to test against.
      size: Bazel test size.
      deps: the mechanism's support libraries (which register it).
    """
    native.cc_library(
        name = "clauses",
        srcs = srcs,
        deps = deps + ["//conformance/harness:clause"],
        alwayslink = True,
    )
    for impl in impls:
        native.cc_test(
            name = "%s_%s_test" % (name, impl.replace("-", "_")),
            srcs = ["//conformance:builtins.c"],
            args = ["run", "--impl", impl, "--mechanism", name],
            deps = [":clauses", "//conformance/harness:cli"] + _BUILTINS,
            linkstatic = True,
            size = size,
            tags = ["mech_" + name, "impl_" + impl],
        )
    native.sh_test(
        name = name + "_external_test",
        srcs = ["//conformance:external_test.sh"],
        args = ["$(location :%s_os_test)" % name, "--mechanism", name],
        data = [":%s_os_test" % name],
        size = size,
        tags = ["manual", "mech_" + name, "impl_external"],
    )
