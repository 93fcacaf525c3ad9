-- wrk script for the Prep benchmark: replays a list of requests as one signed-in user.
--
-- Environment (set by bench/run.py):
--   BENCH_REQUESTS  file of requests, one per line: METHOD <tab> PATH <tab> BODY
--   BENCH_COOKIE    the Cookie header (session and CSRF cookies), empty for anonymous pages
--   BENCH_CSRF      the CSRF secret, sent as X-CSRFToken on POSTs
--   BENCH_HTMX      "1" to send HX-Request: true (the htmx fragment of a page)
--
-- Each thread takes every n-th request (n = number of threads), so no two threads send the
-- same POST; a thread that reaches the end of its share starts again from its first one. The
-- result says how many requests the busiest thread sent, so that a second run of the same POSTs
-- can start after them (bench/run.py drops that many rounds of n lines from the file).
-- Every response that is not a 200 is counted and reported (redirects included: a page that
-- sends the bench's user to log in has not been measured).

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local cookie = os.getenv("BENCH_COOKIE") or ""
  local csrf = os.getenv("BENCH_CSRF") or ""
  local htmx = os.getenv("BENCH_HTMX") == "1"

  local function build(line)
    local fields = split(line)
    local method, path, body = fields[1], fields[2], fields[3]
    local headers = {}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if htmx then headers["HX-Request"] = "true" end
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      headers["X-CSRFToken"] = csrf
    else
      body = nil
    end
    return wrk.format(method, path, headers, body)
  end

  requests = {}
  local lines = {}
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    table.insert(lines, line)
  end
  for index, line in ipairs(lines) do
    if ((index - 1) % nthreads) + 1 == id then
      table.insert(requests, build(line))
    end
  end
  if #requests == 0 then  -- more threads than requests: share them
    for _, line in ipairs(lines) do
      table.insert(requests, build(line))
    end
  end
  distinct = #requests
  not_ok = 0
  position = 0
  served = 0
end

function request()
  position = (position % #requests) + 1
  served = served + 1
  return requests[position]
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local total_not_ok, total_served, distinct, most_served = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    total_not_ok = total_not_ok + thread:get("not_ok")
    total_served = total_served + thread:get("served")
    distinct = distinct + thread:get("distinct")
    most_served = math.max(most_served, thread:get("served"))
  end
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"not_200": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_timeout": %d, "distinct_requests": %d, "sent": %d, "most_sent_by_a_thread": %d, ' ..
    '"mean_us": %.1f, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    total_not_ok, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, distinct, total_served, most_served,
    latency.mean, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
