-- wrk script of the API load benchmarks (bench/_load.py). WRK_MODE chooses the request:
--   bare   GET /api/v1/core/units/?page_size=1 (the limit: the cheapest authenticated endpoint)
--   stock  GET /api/v1/wms/stock/?item=<random bench item>
--   move   POST /api/v1/wms/moves/: a transfer of 1 of a random lot out of its opening bin
--   moves  GET /api/v1/wms/moves/ (the ledger's first page)
--   mixed  bare, stock and move in turn
--   work_orders  GET /api/v1/mes/work-orders/ (the newest page of work orders)
--   report POST /api/v1/mes/production-reports/: 1 good piece on a random running operation of
--          WRK_OPERATIONS (comma-separated ids), each with a key of its own
--   dashboard_page  GET /mes/dashboard/ (the supervisor's landing page)
--   dashboard_api   GET /api/v1/mes/dashboard/?site=<WRK_SITE> (the same as JSON)
--   spc_board_page  GET /qms/spc/ (the SPC status board)
--   spc_status_api  GET /api/v1/qms/spc/status/?page_size=500 (the same as JSON)
-- Requests carry WRK_TOKEN, or the session cookie WRK_COOKIE when it is set (the pages).
-- Bench data (bench/_wms_data.py): lot k is "L%06d" of item "BI-%05d" (k mod 2000), opened in
-- bin number k mod 10000. Prints one JSON line: requests, latency percentiles, status counts.

local mode = os.getenv("WRK_MODE") or "bare"
local token = os.getenv("WRK_TOKEN") or ""
local cookie = os.getenv("WRK_COOKIE") or ""
local site = os.getenv("WRK_SITE") or ""
local threads = {}
local counter = 0
local operations = {}
for op in string.gmatch(os.getenv("WRK_OPERATIONS") or "", "%d+") do table.insert(operations, op) end

local function bin_code(n)
  local aisle, rest = math.floor(n / 500), n % 500
  local rack = math.floor(rest / 20)
  rest = rest % 20
  return string.format("BW1-A%02d-%02d-%d-%d", aisle, rack, math.floor(rest / 5) + 1, rest % 5 + 1)
end

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  if cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  else
    wrk.headers["Authorization"] = "Token " .. token
  end
  wrk.headers["Content-Type"] = "application/json"
  statuses = {}
  turn = 0
  sent = 0
  run = string.format("%d-%d", os.time(), math.random(0, 999999999))
end

local function bare()
  return wrk.format("GET", "/api/v1/core/units/?page_size=1")
end

local function stock()
  return wrk.format("GET", string.format("/api/v1/wms/stock/?item=BI-%05d", math.random(0, 1999)))
end

local function move()
  local k = math.random(0, 99999)
  local to = math.random(0, 9998)
  if to >= k % 10000 then to = to + 1 end
  local body = string.format(
    '{"kind":"transfer","item":"BI-%05d","lot":"L%06d","from_bin":"%s","to_bin":"%s","quantity":"1"}',
    k % 2000, k, bin_code(k % 10000), bin_code(to))
  return wrk.format("POST", "/api/v1/wms/moves/", nil, body)
end

local function moves()
  return wrk.format("GET", "/api/v1/wms/moves/")
end

local function work_orders()
  return wrk.format("GET", "/api/v1/mes/work-orders/")
end

local function report()
  sent = sent + 1
  local body = string.format(
    '{"operation":%s,"good":"1","idempotency_key":"bench-%s-%d-%d"}',
    operations[math.random(1, #operations)], run, id, sent)
  return wrk.format("POST", "/api/v1/mes/production-reports/", nil, body)
end

local function dashboard_page()
  return wrk.format("GET", "/mes/dashboard/")
end

local function dashboard_api()
  return wrk.format("GET", "/api/v1/mes/dashboard/?site=" .. site)
end

local function spc_board_page()
  return wrk.format("GET", "/qms/spc/")
end

local function spc_status_api()
  return wrk.format("GET", "/api/v1/qms/spc/status/?page_size=500")
end

local kinds = {
  bare = bare, stock = stock, move = move, moves = moves, work_orders = work_orders, report = report,
  dashboard_page = dashboard_page, dashboard_api = dashboard_api,
  spc_board_page = spc_board_page, spc_status_api = spc_status_api,
}
local order = {bare, stock, move}

function request()
  if mode == "mixed" then
    turn = turn % 3 + 1
    return order[turn]()
  end
  return kinds[mode]()
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
