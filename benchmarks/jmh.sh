#!/usr/bin/env bash
# JMH benchmarks of the decision path (src/test/java/dev/promgate/benchmarks): 2 forks, 8 x 2 s warm-up, 4 x 2 s measured, two reviews.
#   benchmarks/jmh.sh                      # DecisionPathBenchmark
#   benchmarks/jmh.sh DecisionPath -f 1    # any JMH options
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile
cp=$(mktemp)
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$cp" -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:target/classes:$(cat "$cp")" org.openjdk.jmh.Main "${@:-DecisionPathBenchmark}"
rm -f "$cp"
