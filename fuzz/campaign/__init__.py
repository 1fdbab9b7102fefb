"""The overnight fuzzing campaign behind ci/fuzz-campaign (see fuzz/README.md).

Modules, one job each:
  targets  which fuzz targets exist (fuzz/<name>/ directories)
  build    builds each target's binaries through Bazel
  workers  runs libFuzzer and AFL++ processes and reads their statistics
  corpus   merges and minimises the corpus at the end
  triage   replays, deduplicates and minimises crashes
  svg      draws the coverage-over-time chart
  report   writes report.txt and report.html
  cli      the command line and the campaign's schedule
Python 3 standard library only.
"""
