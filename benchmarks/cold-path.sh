#!/usr/bin/env bash
# Cold path: time to the decision for new digests (one signature, two attestations each), in turns
# with the same requests by a plain client, against a local docker-registry; pods of three; 300 referrers.
#   benchmarks/cold-path.sh [digests]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile
cp=$(mktemp)
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$cp" -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:target/classes:$(cat "$cp")" dev.promgate.benchmarks.ColdPath "${1:-60}" 2>&1 \
  | grep -v '^{' | grep -v SLF4J
rm -f "$cp"
