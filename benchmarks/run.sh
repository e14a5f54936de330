#!/usr/bin/env bash
# Runs FeatureStateBenchmark through the benchmarks profile and leaves its report in
# benchmarks/results/feature-state.md. Arguments go to the benchmark, e.g.
#   benchmarks/run.sh --customers 100000 --facilities 50
# MVN_FLAGS adds Maven flags (default -o: offline, from ~/.m2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
exec mvn -B ${MVN_FLAGS--o} -pl benchmarks -am -Pbenchmarks -DskipTests \
  -Dbenchmark.args="$*" verify
