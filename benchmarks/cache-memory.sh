#!/usr/bin/env bash
# Heap used per 100,000 cached verdicts with typical evidence (serial GC for an exact reading).
#   benchmarks/cache-memory.sh [entries]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile
cp=$(mktemp)
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$cp" -Dmdep.includeScope=test >/dev/null
java -XX:+UseSerialGC -Xmx1g -cp "target/test-classes:target/classes:$(cat "$cp")" \
  dev.promgate.benchmarks.CacheMemory "${1:-100000}" 2>&1 | grep -v SLF4J
rm -f "$cp"
