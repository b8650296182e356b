-- Shared helpers for the khabar wrk scripts (loaded with dofile by each script).
--
-- wrk runs one Lua state per thread (init/request) plus a main state
-- (setup/done). Every script that dofile()s this file gets:
--   * setup(thread): numbers the threads so each seeds its RNG differently;
--   * done(summary, latency, requests): prints ONE machine-readable line
--       KHABAR_RESULT requests=... rps=... p50_ms=... p99_ms=... non2xx=... ...
--     which bench/run.sh parses (more robust than scraping wrk's text).
--     A script may define khabar_result_extra(threads) (main state) to append
--     its own " key=value" fields, e.g. from thread:get(...) counters.
--   * khabar_env_int / khabar_env_num / khabar_seed_rng helpers;
--   * khabar_env_list, khabar_urlencode, khabar_cursor_range,
--     khabar_random_cursor, khabar_page_requests for the list-type scripts.

function khabar_env_num(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  local n = tonumber(v)
  if n == nil then error(name .. " must be a number, got '" .. v .. "'") end
  return n
end

function khabar_env_int(name, default, min)
  local n = math.floor(khabar_env_num(name, default))
  if min ~= nil and n < min then
    error(name .. " must be >= " .. min .. ", got " .. n)
  end
  return n
end

-- Seed math.random differently in every wrk thread (and every wrk run).
function khabar_seed_rng()
  local tid = tonumber(khabar_tid) or 0
  local seed = khabar_env_num("KHABAR_RNG_SEED", nil)
  if seed == nil then
    seed = (os.time() % 1000003) * 7919 + math.floor((os.clock() * 1e6) % 7919)
  end
  math.randomseed(seed + tid * 104729)
  for _ = 1, 16 do math.random() end -- discard the first, weakly mixed values
end

-- A comma-separated list from the environment ("a,b,c"); unset or "" gives {}.
function khabar_env_list(name)
  local t = {}
  for item in (os.getenv(name) or ""):gmatch("[^,]+") do
    item = item:match("^%s*(.-)%s*$")
    if item ~= "" then t[#t + 1] = item end
  end
  return t
end

-- Percent-encodes a query-string value byte by byte (UTF-8 Arabic becomes
-- %D9%88...; a space becomes %20); RFC 3986 unreserved characters stay.
function khabar_urlencode(s)
  return (s:gsub("[^A-Za-z0-9%-%._~]", function(c)
    return string.format("%%%02X", c:byte())
  end))
end

-- The corpus' publication range in Unix microseconds, from
-- KHABAR_CURSOR_MIN_US / KHABAR_CURSOR_MAX_US (run.sh fills them from the
-- oldest and newest published article). Doubles hold these exactly (< 2^53).
function khabar_cursor_range()
  local lo = khabar_env_num("KHABAR_CURSOR_MIN_US", nil)
  local hi = khabar_env_num("KHABAR_CURSOR_MAX_US", nil)
  if lo == nil or hi == nil then
    error("KHABAR_CURSOR_MIN_US and KHABAR_CURSOR_MAX_US must be set (Unix microseconds)")
  end
  lo, hi = math.floor(lo), math.floor(hi)
  if hi < lo then error("KHABAR_CURSOR_MAX_US < KHABAR_CURSOR_MIN_US") end
  return lo, hi
end

-- A newest-first keyset cursor at a uniformly random time in lo..hi:
-- "n<micros>_999999999" means "the articles published before <micros>" (any
-- such value is valid), i.e. a page at a random depth of the list.
function khabar_random_cursor(lo, hi)
  return string.format("n%.0f_999999999", lo + math.floor(math.random() * (hi - lo + 1)))
end

-- Pages 1..KHABAR_PAGES (default 5) of a list path ("/api/v1/articles?tag=x"),
-- built once: returns a table of wrk requests indexed by page.
function khabar_page_requests(path, pages, per_page)
  local sep = path:find("?", 1, true) and "&" or "?"
  local t = {}
  for p = 1, pages do
    t[p] = wrk.format(nil, path .. sep .. "page=" .. p .. "&per_page=" .. per_page)
  end
  return t
end

-- Main state: runs once per thread before that thread's init().
local khabar_thread_counter = 0
local khabar_threads = {}
function setup(thread)
  khabar_thread_counter = khabar_thread_counter + 1
  khabar_threads[khabar_thread_counter] = thread
  thread:set("khabar_tid", khabar_thread_counter)
end

-- Main state: runs once after the run. Latencies from wrk are microseconds.
-- summary.errors.status counts responses with status > 399 (wrk's definition
-- of "Non-2xx or 3xx responses"); 404s for draft articles land there.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local rps = 0
  if secs > 0 then rps = summary.requests / secs end
  local extra = ""
  if khabar_result_extra then extra = khabar_result_extra(khabar_threads) end
  io.write(string.format(
    "KHABAR_RESULT requests=%d duration_s=%.3f rps=%.2f p50_ms=%.3f p90_ms=%.3f " ..
    "p99_ms=%.3f max_ms=%.3f non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d%s\n",
    summary.requests, secs, rps,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout, extra))
end
