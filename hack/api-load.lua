-- wrk's script for the API benchmarks (hack/bench-api.sh, hack/bench-store.sh): the token
-- header, PATCH bodies that change every request, and a per-connection delay that paces the load
-- to RATE req/s in total (0 or unset: as fast as possible). Prints one RESULT line.
local counter = 0
local method = os.getenv("METHOD") or "GET"
local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "10")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
function request()
  if method == "PATCH" then
    counter = counter + 1
    wrk.headers["Content-Type"] = "application/json"
    return wrk.format("PATCH", wrk.path, nil, '{"vars":{"COUNTER":"' .. counter .. '-' .. math.random(1e9) .. '"}}')
  end
  return wrk.format("GET", wrk.path)
end
function delay()
  if rate > 0 then return connections * 1000 / rate end
  return 0
end
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
