-- wrk script: POST one GraphQL request (BENCH_BODY) with one auth header (BENCH_AUTH_HEADER, default
-- Authorization, set to BENCH_TOKEN), and print the summary as one JSON line (latencies in microseconds)
-- for the bench scripts to read.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers[os.getenv("BENCH_AUTH_HEADER") or "Authorization"] = os.getenv("BENCH_TOKEN")
wrk.body = os.getenv("BENCH_BODY")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
