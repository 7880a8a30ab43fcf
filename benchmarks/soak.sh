#!/usr/bin/env bash
# Fault and soak run: promgate (its own process, with the Deployment's JVM flags) under a bounded
# concurrent load, against a real local registry (Debian's docker-registry) with signed, promoted
# images, while the registry is stopped, slowed past the webhook timeout and restarted, policies
# are edited (valid, broken, emptied, restored) and the serving certificate is rotated; then a
# phase of distinct oversized invalid images. Prints one markdown row per phase: wrong admits,
# denials of cached known-good digests, requests over the webhook timeout (10 s), errors, latency
# and promgate's largest RSS. The target is zero for all but latency and RSS.
#
#   benchmarks/soak.sh                          # 20 s per phase, 8 connections
#   SECONDS_PER_PHASE=60 CONNECTIONS=16 benchmarks/soak.sh
#   JVM_FLAGS="-Xmx384m -XX:+ExitOnOutOfMemoryError" benchmarks/soak.sh
#
# Needs docker-registry (apt-get install -y docker-registry) and Java 17.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_PHASE=${SECONDS_PER_PHASE:-20}
CONNECTIONS=${CONNECTIONS:-8}
# The Deployment's flags (manifests/base/deployment.yaml); -Xmx384m stands for MaxRAMPercentage=50
# of its 768Mi limit, which a process outside a container cannot see.
JVM_FLAGS=${JVM_FLAGS:-"-XX:+UseSerialGC -Xmx384m -XX:MaxMetaspaceSize=160m -XX:MaxDirectMemorySize=64m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:+ExitOnOutOfMemoryError"}

[ -f target/promgate.jar ] || mvn -q -B package -DskipTests
mvn -q -B test-compile
work=$(mktemp -d)
trap 'cp "$work/promgate.log" target/soak-promgate.log 2>/dev/null || true; rm -rf "$work"' EXIT
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >/dev/null
echo "soak: $SECONDS_PER_PHASE s per phase, $CONNECTIONS connections, promgate flags: $JVM_FLAGS" >&2
# shellcheck disable=SC2086
java -cp "target/test-classes:target/classes:$(cat "$work/cp.txt")" dev.promgate.benchmarks.Soak \
  "$work" target/promgate.jar "$SECONDS_PER_PHASE" "$CONNECTIONS" $JVM_FLAGS
echo "promgate's log: target/soak-promgate.log" >&2
