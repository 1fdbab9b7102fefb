"""The overnight fuzzing campaign behind ci/fuzz-campaign (see fuzz/README.md).

Modules, one job each:
  targets           which fuzz targets exist (fuzz/<name>/ directories)
  build             builds each target's binaries through Bazel
  workers           pairs (a target under an engine) and their processes
  libfuzzer_worker  a libFuzzer process and its log
  afl_worker        AFL++ instances: their settings and statistics
  exchange          moves new inputs between libFuzzer and AFL++ while they run
  schedule          who fuzzes when, progress lines
  corpus            merges and minimises the corpus at the end
  triage            replays, deduplicates and minimises crashes; replays regressions/
  coverage          llvm-cov source coverage of the final corpus
  svg               draws the coverage-over-time chart
  report            writes report.txt and report.html
  smoke             ci/fuzz-smoke's checks: progress, and exec/s against baselines
  cli               the command line and the campaign's steps
Python 3 standard library only.
"""
