#!/usr/bin/env bash
# Runs a benchmark through the benchmarks profile and leaves its report in benchmarks/results/.
#   benchmarks/run.sh [feature-state] [ARGS]   FeatureStateBenchmark -> results/feature-state.md (the default)
#   benchmarks/run.sh throughput [ARGS]        ThroughputBenchmark   -> results/throughput.md (+ .csv)
#   benchmarks/run.sh freshness [ARGS]         FreshnessBenchmark    -> results/freshness.md (+ .csv)
#   benchmarks/run.sh cdc [ARGS]               CdcApplyBenchmark     -> results/cdc-apply.md (+ .csv)
#   benchmarks/run.sh all                      every one, with its default arguments
# ARGS go to the benchmark, e.g. benchmarks/run.sh --customers 100000 --facilities 50, or
# benchmarks/run.sh throughput --repetitions 5 --clicks 300000.
# MVN_FLAGS adds Maven flags (default -o: offline, from ~/.m2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

run() {
  local main="$1" tmp_flag=()
  shift
  if [ "$main" != FeatureStateBenchmark ]; then
    # The run's servers live under java.io.tmpdir, and PostgreSQL's socket path (in its data
    # directory) must stay under 107 bytes: a short scratch directory, removed afterwards.
    scratch="$(mktemp -d "${TMPDIR:-/tmp}/lakestream-throughput.XXXXXX")"
    chmod 755 "$scratch" # as root, PostgreSQL runs as user postgres and must reach it
    trap 'rm -rf "$scratch"' EXIT
    tmp_flag=(-Dbenchmark.tmpdir="$scratch")
  fi
  mvn -B ${MVN_FLAGS--o} -pl benchmarks -am -Pbenchmarks -DskipTests "${tmp_flag[@]}" \
    -Dbenchmark.main.class="dev.lakestream.benchmarks.$main" -Dbenchmark.args="$*" verify
}

case "${1:-}" in
  feature-state) shift; run FeatureStateBenchmark "$@" ;;
  throughput) shift; run ThroughputBenchmark "$@" ;;
  freshness) shift; run FreshnessBenchmark "$@" ;;
  cdc) shift; run CdcApplyBenchmark "$@" ;;
  all)
    shift
    if [ "$#" -gt 0 ]; then
      echo "run.sh all takes no arguments (each benchmark runs with its defaults)" >&2
      exit 2
    fi
    run FeatureStateBenchmark
    run ThroughputBenchmark
    run FreshnessBenchmark
    run CdcApplyBenchmark
    ;;
  *) run FeatureStateBenchmark "$@" ;;
esac
