"""ipcconf_conformance: one clause source set -> one test per implementation."""

# The implementations every conformance source is run against, by name
# (`ipcconf run --impl NAME`).  The oracle comes first: a clause must pass on
# `os` (Linux) before it may judge anything else.
IMPLS = ["os", "ref", "ref-small"]

def ipcconf_conformance(name, mechanism, srcs, impls = IMPLS, size = "small", deps = []):
    """Declares the clauses of `srcs` and a test target per implementation.

    Produces:
      <name>_clauses: a cc_library holding the clauses (linked whole, since a
        clause is registered by being present in the binary);
      <name>_<impl>_test: a cc_test running those clauses against <impl>
        ("-" in an implementation's name becomes "_"), tagged
        mech_<mechanism> and impl_<impl>;
      <name>_external_test: manual; runs against the plug-in named by
        IPCCONF_IMPL_SO (--test_env=IPCCONF_IMPL_SO=/abs/path.so).

    Args:
      name: the stem, usually the mechanism.
      mechanism: the clause ids' mechanism prefix ("pipe").
      srcs: the clause sources.
      impls: built-in implementations to test against.
      size: Bazel test size.
      deps: extra dependencies of the clause sources.
    """
    native.cc_library(
        name = name + "_clauses",
        srcs = srcs,
        deps = deps + ["//conformance/harness:clause"],
        alwayslink = True,
    )
    for impl in impls:
        native.cc_test(
            name = "%s_%s_test" % (name, impl.replace("-", "_")),
            srcs = ["//conformance:builtins.c"],
            args = ["run", "--impl", impl, "--mechanism", mechanism],
            deps = [
                ":%s_clauses" % name,
                "//conformance/harness:cli",
                "//impl/os",
                "//impl/ref",
            ],
            # Clauses are found through a linker section of the executable,
            # so they must be linked into it, not into shared libraries.
            linkstatic = True,
            size = size,
            tags = ["mech_" + mechanism, "impl_" + impl],
        )
    native.sh_test(
        name = name + "_external_test",
        srcs = ["//conformance:external_test.sh"],
        args = ["$(location :%s_os_test)" % name, "--mechanism", mechanism],
        data = [":%s_os_test" % name],
        size = size,
        tags = ["manual", "mech_" + mechanism, "impl_external"],
    )
