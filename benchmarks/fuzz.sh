#!/usr/bin/env bash
# Fuzzes promgate's input readers with Jazzer for a chosen time each. The normal test run already
# replays every target's seed corpus (regression mode); this runs the fuzzer proper.
#
#   benchmarks/fuzz.sh                 # every target, 60 s each
#   benchmarks/fuzz.sh 10m             # every target, 10 minutes each
#   benchmarks/fuzz.sh 30s image       # the targets whose name contains "image"
#
# Seeds: the same files the regression run uses (test resources, shipped policies, and the shared
# fixtures from -Dpromgate.fixtures, PROMGATE_FIXTURES or ../shared/fixtures), copied into Jazzer's
# generated-corpus folder .cifuzz-corpus/<class>/<method>/ (ignored by git). Findings (a crash, a
# broken invariant, a hang, or a memory blow-up past the 1 GiB heap) are written by Jazzer
# under src/test/resources/<package>/<Class>Inputs/<method>/, where the regression run replays them
# from then on; the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-60s}"
filter="${2:-}"
fixtures="${PROMGATE_FIXTURES:-../shared/fixtures}"

# class#method  seed folders (repository)  seed globs (fixtures)
targets=(
  "dev.promgate.AdmissionReviewFuzzTest#admissionReview|src/test/resources/bench|*/admission_requests/*.json kubewarden-verify-image-signatures/*.json"
  "dev.promgate.image.ImageReferenceFuzzTest#imageReference|src/test/resources/fuzz/image-references|"
  "dev.promgate.policy.PolicyYamlFuzzTest#policyFile|policies benchmarks/policies|"
  "dev.promgate.registry.RegistryResponseFuzzTest#registryAnswer|src/test/resources/fuzz/www-authenticate|*/manifests/*.json"
  "dev.promgate.verification.AttachmentFuzzTest#attachment||*.sigstore *.sigstore.json *.dsse.json *.intoto.json *.sig *.payload"
)

mvn -q -B test-compile
failed=0
for entry in "${targets[@]}"; do
  IFS='|' read -r target folders globs <<<"$entry"
  [[ -n "$filter" && "${target,,}" != *"${filter,,}"* ]] && continue
  class="${target%%#*}"
  method="${target##*#}"
  corpus=".cifuzz-corpus/$class/$method"
  mkdir -p "$corpus"
  for folder in $folders; do
    [[ -d "$folder" ]] && find "$folder" -type f -size -512k -exec cp -n {} "$corpus/" \; 2>/dev/null || true
  done
  if [[ -d "$fixtures" ]]; then
    for glob in $globs; do
      find "$fixtures" -type f -path "*/${glob#\*/}" -size -512k | head -300 | while read -r f; do
        cp -n "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-16)-$(basename "$f")" 2>/dev/null || true
      done
    done
  fi
  echo "== $target for $duration ($(ls "$corpus" | wc -l) inputs in the corpus)"
  if ! JAZZER_FUZZ=1 mvn -q -B surefire:test -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.max_duration="$duration" -DargLine="-Xmx1g -XX:+ExitOnOutOfMemoryError"; then
    echo "!! $target found a problem; see the output above and src/test/resources/**/$(basename "${class//.//}")Inputs/"
    failed=1
  fi
done
exit $failed
