-- wrk script of bench/mes_dashboard.py. WRK_MODE chooses the request, all with the supervisor's
-- session cookie (WRK_COOKIE) so every request pays the same authentication:
--   bare   GET /api/v1/core/units/?page_size=1 (the cheapest authenticated endpoint)
--   page   GET /mes/dashboard/ (the supervisor's landing page: every tile, orders, WIP)
--   api    GET /api/v1/mes/dashboard/?site=<WRK_SITE> (the same as JSON)
-- Prints one JSON line: requests, latency percentiles, status counts.

local mode = os.getenv("WRK_MODE") or "bare"
local cookie = os.getenv("WRK_COOKIE") or ""
local site = os.getenv("WRK_SITE") or ""
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Cookie"] = cookie
  statuses = {}
end

local paths = {
  bare = "/api/v1/core/units/?page_size=1",
  page = "/mes/dashboard/",
  api = "/api/v1/mes/dashboard/?site=" .. site,
}

function request()
  return wrk.format("GET", paths[mode])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%d":%d', status, n)) end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, table.concat(parts, ",")))
end
