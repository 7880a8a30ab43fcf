#!/usr/bin/env bash
# Load test over TLS with keep-alive: promgate against a trivial Vert.x endpoint that only parses
# the review and answers "allowed", in the same run, at several connection counts.
#
#   benchmarks/load.sh                         # digest-only policies (no registry needed)
#   benchmarks/load.sh --signed                # a local registry with signed, promoted images:
#                                              # the cached verification path (needs docker-registry)
#   POLICIES=dir REVIEW=file.json benchmarks/load.sh
#   DURATION=30 CONNECTIONS="1 4 16 64" benchmarks/load.sh
#
# Prints one markdown table row per run. Needs wrk (Debian package wrk) and a built jar.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-"1 4 16 64"}
POLICIES=${POLICIES:-benchmarks/policies}
REVIEW=${REVIEW:-src/test/resources/bench/pod-review.json}
ENVIRONMENT=${ENVIRONMENT:-prod}
PROMGATE_PORT=${PROMGATE_PORT:-18443}
TRIVIAL_PORT=${TRIVIAL_PORT:-18444}
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m"}

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[ -f target/promgate.jar ] || mvn -q -B package -DskipTests

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
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
  echo "signed fixture: $POLICIES, $REVIEW" >&2
fi

java -jar target/promgate.jar certs generate --out "$work/certs" --dns localhost --ip 127.0.0.1 >/dev/null
# shellcheck disable=SC2086
java $JAVA_OPTS -jar target/promgate.jar serve --policies "$POLICIES" --certs "$work/certs" \
  --port "$PROMGATE_PORT" > "$work/promgate.log" 2>&1 &
pids+=($!)
# shellcheck disable=SC2086
java $JAVA_OPTS -cp target/promgate.jar benchmarks/TrivialEndpoint.java "$TRIVIAL_PORT" "$work/certs" \
  > "$work/trivial.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -sfk "https://127.0.0.1:$PROMGATE_PORT/readyz" >/dev/null \
     && grep -q listening "$work/trivial.log"; then break; fi
  sleep 0.5
done
curl -sfk "https://127.0.0.1:$PROMGATE_PORT/readyz" >/dev/null || { cat "$work/promgate.log"; exit 1; }

decision=$(curl -sk -H 'Content-Type: application/json' --data @"$REVIEW" \
  "https://127.0.0.1:$PROMGATE_PORT/validate/$ENVIRONMENT")
echo "promgate answers: ${decision:0:200}…" >&2
case "$decision" in *'"allowed":true'*) ;; *) echo "the review is not allowed; fix POLICIES/REVIEW" >&2; exit 1;; esac

run() { # url connections seconds
  local threads=$(( $2 < 2 ? 1 : 2 ))
  REVIEW="$REVIEW" wrk -t"$threads" -c"$2" -d"$3"s --latency -s benchmarks/admission.lua "$1" | tail -1
}

echo "warming up…" >&2
run "https://127.0.0.1:$TRIVIAL_PORT/" 4 10 >/dev/null
run "https://127.0.0.1:$PROMGATE_PORT/validate/$ENVIRONMENT" 4 15 >/dev/null

echo "| connections | endpoint | requests/s | p50 ms | p99 ms | p99.9 ms | errors | ratio |"
echo "|---|---|---|---|---|---|---|---|"
for c in $CONNECTIONS; do
  trivial=$(run "https://127.0.0.1:$TRIVIAL_PORT/" "$c" "$DURATION")
  promgate=$(run "https://127.0.0.1:$PROMGATE_PORT/validate/$ENVIRONMENT" "$c" "$DURATION")
  python3 - "$c" "$trivial" "$promgate" <<'PY'
import json, sys
c, t, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
for name, r in (("trivial", t), ("promgate", p)):
    ratio = "" if name == "trivial" else f"{p['rps'] / t['rps']:.2f}"
    print(f"| {c} | {name} | {r['rps']:.0f} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['p999_ms']:.3f} | "
          f"{r['errors'] + r['non200']} | {ratio} |")
PY
done
grep -c '"msg":"decision"' "$work/promgate.log" | sed 's/^/decisions logged: /' >&2
