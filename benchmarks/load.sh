#!/usr/bin/env bash
# Load test over TLS with keep-alive: promgate against a trivial Vert.x endpoint that only parses
# the review and answers "allowed", on the same number of event loops, in the same run: for each
# event-loop count, review and connection count, the trivial endpoint then promgate.
#
#   benchmarks/load.sh                         # digest-only policies (no registry needed)
#   benchmarks/load.sh --signed                # a local registry with signed, promoted images:
#                                              # the cached verification path (needs docker-registry)
#   EVENT_LOOPS="1 2" CONNECTIONS="4 16" DURATION=15 benchmarks/load.sh --signed
#   POLICIES=dir REVIEWS="big.json small.json" benchmarks/load.sh
#   PROMGATE_OPTS="-XX:StartFlightRecording=filename=/tmp/cached.jfr,settings=profile,dumponexit=true" \
#     EVENT_LOOPS=2 benchmarks/load.sh --signed   # a JFR recording for benchmarks/flamegraph.py
#
# Prints one markdown table row per run, with promgate's resident memory (RSS) at the end of the
# run. Both servers run with the container's JVM flags for a 768 MiB memory limit (JAVA_OPTS).
# Needs wrk (Debian package wrk) and a built jar.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15}
WARM_UP=${WARM_UP:-20}
CONNECTIONS=${CONNECTIONS:-"4 16"}
EVENT_LOOPS=${EVENT_LOOPS:-"1 $(nproc)"}
POLICIES=${POLICIES:-benchmarks/policies}
REVIEW=${REVIEW:-src/test/resources/bench/pod-review.json}
SMALL_REVIEW=${SMALL_REVIEW:-src/test/resources/bench/small-pod-review.json}
ENVIRONMENT=${ENVIRONMENT:-prod}
PROMGATE_PORT=${PROMGATE_PORT:-18443}
TRIVIAL_PORT=${TRIVIAL_PORT:-18444}
# manifests/base/deployment.yaml: JAVA_TOOL_OPTIONS and a 768Mi limit (MaxRAM stands in for the cgroup).
JAVA_OPTS=${JAVA_OPTS:-"-XX:MaxRAM=768m -XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:MaxMetaspaceSize=160m -XX:MaxDirectMemorySize=64m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:+ExitOnOutOfMemoryError"}
# Extra flags for promgate alone (a JFR recording, say).
PROMGATE_OPTS=${PROMGATE_OPTS:-}

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[ -f target/promgate.jar ] || mvn -q -B package -DskipTests

work=$(mktemp -d)
pids=()
servers=()
stop_servers() { for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; servers=(); }
cleanup() { stop_servers; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

if [ "${1:-}" = "--signed" ]; then
  mvn -q -B test-compile
  mvn -q -B dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >/dev/null
  mkfifo "$work/keep"
  java -cp "target/test-classes:target/classes:$(cat "$work/cp.txt")" dev.promgate.benchmarks.SignedLoadFixture \
    "$work/signed" < "$work/keep" > "$work/fixture.out" 2>"$work/fixture.err" &
  pids+=($!)
  exec 9>"$work/keep"
  for _ in $(seq 1 240); do grep -q '^POLICIES=' "$work/fixture.out" 2>/dev/null && break; sleep 0.5; done
  eval "$(grep '^POLICIES=' "$work/fixture.out")" || { cat "$work/fixture.err"; exit 1; }
  echo "signed fixture: $POLICIES, $REVIEW, $SMALL_REVIEW" >&2
fi
REVIEWS=${REVIEWS:-"$REVIEW $SMALL_REVIEW"}

java -jar target/promgate.jar certs generate --out "$work/certs" --dns localhost --ip 127.0.0.1 >/dev/null

start_servers() { # event loops
  # The decision log (a line per request) is counted, not kept: the rest goes to promgate.log.
  rm -f "$work/log.pipe" && mkfifo "$work/log.pipe"
  awk -v count="$work/decisions" -v rest="$work/promgate.log" \
    '/"msg":"decision"/ {n++; next} {print > rest; fflush(rest)} END {print n + 0 > count}' < "$work/log.pipe" &
  pids+=($!)
  # shellcheck disable=SC2086
  java $JAVA_OPTS $PROMGATE_OPTS -jar target/promgate.jar serve --policies "$POLICIES" --certs "$work/certs" \
    --port "$PROMGATE_PORT" --event-loops "$1" > "$work/log.pipe" 2>&1 &
  servers+=($!)
  promgate_pid=$!
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp target/promgate.jar benchmarks/TrivialEndpoint.java "$TRIVIAL_PORT" "$work/certs" "$1" \
    > "$work/trivial.log" 2>&1 &
  servers+=($!)
  trivial_pid=$!
  for _ in $(seq 1 240); do
    if curl -sfk "https://127.0.0.1:$PROMGATE_PORT/readyz" >/dev/null \
       && grep -q listening "$work/trivial.log"; then break; fi
    sleep 0.5
  done
  curl -sfk "https://127.0.0.1:$PROMGATE_PORT/readyz" >/dev/null || { cat "$work/promgate.log"; exit 1; }
  for review in $REVIEWS; do
    decision=$(curl -sk -H 'Content-Type: application/json' --data @"$review" \
      "https://127.0.0.1:$PROMGATE_PORT/validate/$ENVIRONMENT")
    case "$decision" in *'"allowed":true'*) ;; *) echo "$review is not allowed: ${decision:0:300}" >&2; exit 1;; esac
  done
}

run() { # url connections seconds review
  local threads=$(( $2 < 2 ? 1 : 2 ))
  REVIEW="$4" wrk -t"$threads" -c"$2" -d"$3"s --latency -s benchmarks/admission.lua "$1" | tail -1
}

# CPU time (user + system, clock ticks) a process has used: per request, it is the cost of an
# answer even when other work shares the cores and throughput swings.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # pid url connections seconds review → wrk's JSON with the server's CPU µs per request added
  local before after result
  before=$(cpu_ticks "$1")
  result=$(run "$2" "$3" "$4" "$5")
  after=$(cpu_ticks "$1")
  python3 -c 'import json, sys; r = json.loads(sys.argv[1]); ticks = int(sys.argv[2]) - int(sys.argv[3])
r["cpu_us"] = ticks * 1e6 / int(sys.argv[4]) / max(1, r["requests"]); print(json.dumps(r))' \
    "$result" "$after" "$before" "$(getconf CLK_TCK)"
}

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

echo "| event loops | review | connections | endpoint | requests/s | p50 ms | p99 ms | p99.9 ms | errors | ratio | CPU µs/request | CPU ratio | promgate RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for loops in $EVENT_LOOPS; do
  start_servers "$loops"
  echo "event loops: $loops; promgate RSS at rest: $(rss_mb "$promgate_pid") MB; warming up…" >&2
  # Until the optimizing compiler is done with both servers: its threads' CPU would otherwise be
  # counted against the first rows (on two cores, 8 s left promgate's first row at twice its cost).
  for review in $REVIEWS; do
    run "https://127.0.0.1:$TRIVIAL_PORT/" 16 "$WARM_UP" "$review" >/dev/null
    run "https://127.0.0.1:$PROMGATE_PORT/validate/$ENVIRONMENT" 16 "$WARM_UP" "$review" >/dev/null
  done
  for review in $REVIEWS; do
    size="$(( $(wc -c < "$review") / 1024 )) KB"
    for c in $CONNECTIONS; do
      trivial=$(measure "$trivial_pid" "https://127.0.0.1:$TRIVIAL_PORT/" "$c" "$DURATION" "$review")
      promgate=$(measure "$promgate_pid" "https://127.0.0.1:$PROMGATE_PORT/validate/$ENVIRONMENT" "$c" "$DURATION" "$review")
      rss=$(rss_mb "$promgate_pid")
      python3 - "$loops" "$size" "$c" "$trivial" "$promgate" "$rss" <<'PY'
import json, sys
loops, size, c, t, p, rss = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5]), sys.argv[6]
for name, r in (("trivial", t), ("promgate", p)):
    ratio = "" if name == "trivial" else f"{p['rps'] / t['rps']:.2f}"
    # Throughput ratio's counterpart in CPU: the trivial endpoint's cost per request over promgate's.
    cpu_ratio = "" if name == "trivial" else f"{t['cpu_us'] / p['cpu_us']:.2f}"
    print(f"| {loops} | {size} | {c} | {name} | {r['rps']:.0f} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | "
          f"{r['p999_ms']:.3f} | {r['errors'] + r['non200']} | {ratio} | {r['cpu_us']:.0f} | {cpu_ratio} | "
          f"{rss if name == 'promgate' else ''} |")
PY
    done
  done
  grep -o '"msg":"warmed up[^"]*"' "$work/promgate.log" >&2 || true
  stop_servers
  sleep 1
  echo "decisions logged: $(cat "$work/decisions" 2>/dev/null)" >&2
done
