-- wrk script of the load run: one connection per wrk thread, each thread one person.
--   wrk -t N -c N -d 20s -s bench/load/load.lua URL -- MODE
-- MODE: hello (GET /), sheet (each evaluator GETs their own sheet), results (the chair GETs
-- the demo tender's results page), save (each evaluator saves their draft, alternating two
-- versions of it; the sheet's version moves on with each save, as a browser's would).
-- SESSIONS names the Lua file bench/load/sessions.py wrote. done() prints one JSON line.
local sessions = dofile(os.getenv("SESSIONS"))
local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("index", count)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  person = sessions.evaluators[((index - 1) % #sessions.evaluators) + 1]
  version = person.version
  flip = 0
  bad = 0
  conflicts = 0
end

function request()
  if mode == "hello" then
    return wrk.format("GET", "/")
  elseif mode == "results" then
    return wrk.format("GET", sessions.results, {["Cookie"] = sessions.chair})
  elseif mode == "sheet" then
    return wrk.format("GET", sessions.sheet, {["Cookie"] = person.cookie})
  end
  flip = 1 - flip
  local body = person.forms[flip + 1] .. "&version=" .. version
  return wrk.format("POST", sessions.sheet, {
    ["Cookie"] = person.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function response(status, headers, body)
  if mode == "save" and status == 302 then
    version = version + 1
  elseif mode == "save" and status == 409 then
    conflicts = conflicts + 1
  end
  local expected = (mode == "save" and status == 302) or (mode ~= "save" and status == 200)
  if not expected then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local unexpected, conflicted = 0, 0
  for _, thread in ipairs(threads) do
    unexpected = unexpected + thread:get("bad")
    conflicted = conflicted + thread:get("conflicts")
  end
  local e = summary.errors
  io.write(string.format(
    '{"label": "%s", "requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.1f, ' ..
    '"p95_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f, "unexpected_status": %d, ' ..
    '"conflicts": %d, "socket_errors": %d}\n',
    os.getenv("LABEL") or mode, summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    unexpected, conflicted, e.connect + e.read + e.write + e.timeout))
end
