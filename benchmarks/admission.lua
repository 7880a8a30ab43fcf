-- wrk script: POST one AdmissionReview over and over on keep-alive connections, and print the
-- latency percentiles as one JSON line at the end.
--   REVIEW=src/test/resources/bench/pod-review.json wrk -t2 -c4 -d30s -s benchmarks/admission.lua https://127.0.0.1:8443/validate/prod
local path = os.getenv("REVIEW") or "src/test/resources/bench/pod-review.json"
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"seconds":%.2f,"rps":%.0f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"errors":%d,"non200":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
