#!/usr/bin/env bash
# Memory of the verdict cache.
#   benchmarks/cache-memory.sh [entries]        heap per 100,000 cached verdicts with typical evidence
#                                               (serial GC for an exact reading)
#   benchmarks/cache-memory.sh --rss [entries]  resident memory of a running server at rest and with
#                                               100,000 verdicts, under the container's JVM flags
#                                               (manifests/base/deployment.yaml, a 768 MiB limit)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile
cp=$(mktemp)
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$cp" -Dmdep.includeScope=test >/dev/null
if [ "${1:-}" = "--rss" ]; then
  flags=${JAVA_OPTS:-"-XX:MaxRAM=768m -XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:MaxMetaspaceSize=160m -XX:MaxDirectMemorySize=64m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:+ExitOnOutOfMemoryError"}
else
  flags="-XX:+UseSerialGC -Xmx1g"
fi
# shellcheck disable=SC2086
java $flags -cp "target/test-classes:target/classes:$(cat "$cp")" \
  dev.promgate.benchmarks.CacheMemory "$@" 2>&1 | grep -v SLF4J | grep -v '^{'
rm -f "$cp"
