"""ipcconf_fuzz_test: one LLVMFuzzerTestOneInput harness, several targets.

The shape and the target suffixes follow rules_fuzzing's cc_fuzz_test
(which cannot be downloaded here); see fuzz/README.md.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")

def ipcconf_fuzz_test(name, srcs, deps = [], dict = None, size = "small", tags = [], **kwargs):
    """Declares the targets of one fuzz harness living in its own package.

    Creates:
      name:          cc_test replaying corpus/ and regressions/ through
                     replay_main; runs in every `bazel test //...` and under
                     every sanitizer config (tags fuzz-test, fuzz-regression).
      name_bin:      the fuzzing binary for the engine picked by
                     --config=libfuzzer or --config=afl (replay otherwise).
      name_run:      launcher: runs name_bin for a time budget with the
                     corpus and the dictionary (fuzz/engine/launch.sh).
      name_corpus:   the seed corpus and past crashes, as data.
      name_harness:  the harness as a library (alwayslink).

    Args:
      name: the target's name; also the name of its package directory.
      srcs: the harness sources; they define LLVMFuzzerTestOneInput.
      deps: libraries under test.
      dict: optional fuzzing dictionary (libFuzzer/AFL++ format).
      size: test size of the replay test.
      tags: extra tags for the replay test.
      **kwargs: passed to the harness library (copts, defines, ...).
    """
    pkg = native.package_name()
    cc_library(
        name = name + "_harness",
        srcs = srcs,
        deps = deps + ["//fuzz/engine:fuzz_check"],
        testonly = True,
        # The engines' main() finds LLVMFuzzerTestOneInput only if the
        # object is linked in whatever the link order.
        alwayslink = True,
        **kwargs
    )

    # allow_empty: a new target may start with an empty regressions/.
    native.filegroup(
        name = name + "_corpus",
        testonly = True,
        srcs = native.glob(["corpus/**", "regressions/**"], allow_empty = True),
    )

    cc_test(
        name = name,
        size = size,
        deps = [":%s_harness" % name, "//fuzz/engine:replay_main"],
        data = [":%s_corpus" % name],
        args = ["$(locations :%s_corpus)" % name],
        tags = tags + ["fuzz-test", "fuzz-regression"],
    )

    cc_binary(
        name = name + "_bin",
        testonly = True,
        deps = [":%s_harness" % name, "//fuzz/engine:engine_main"],
        tags = ["manual"],
    )

    launcher_args = [
        "--binary=$(rootpath :%s_bin)" % name,
        "--corpus=%s/corpus" % pkg,
        "--regressions=%s/regressions" % pkg,
    ]
    launcher_data = [":%s_bin" % name, ":%s_corpus" % name]
    if dict:
        launcher_args.append("--dict=$(rootpath %s)" % dict)
        launcher_data.append(dict)
    native.sh_binary(
        name = name + "_run",
        testonly = True,
        srcs = ["//fuzz/engine:launch.sh"],
        args = select({
            "//fuzz/engine:use_libfuzzer": ["--engine=libfuzzer"],
            "//fuzz/engine:use_afl": ["--engine=afl"],
            "//conditions:default": ["--engine=replay"],
        }) + launcher_args,
        data = launcher_data,
        tags = ["manual"],
    )
