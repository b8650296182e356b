-- Readers of the hot stories, as an app loads them: each reader GETs
-- /api/v1/articles/{id} (Zipf-skewed ids, as article_zipf.lua) with
-- Accept-Encoding: gzip (KHABAR_ACCEPT_ENCODING overrides it), then sends
-- that article's view beacon, POST /api/v1/articles/{id}/views, from its own
-- address (X-Forwarded-For 10.x.y.z; the server trusts 127.0.0.1 as a proxy,
-- KHABAR_TRUSTED_PROXIES), so every beacon counts and the hot stories' view
-- counts move between reads, as they do on a busy site. wrk's request rate
-- counts both halves; the result line adds reads=N (answered GETs) and
-- counted=N (beacons counted).
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/article_zipf.lua") -- khabar_zipf_build/sample, common.lua

local cdf, n, tid, threads, readers, id
local read_headers = {}
local beacon_headers = {
  ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36",
}

function init(args)
  n = khabar_env_int("KHABAR_MAX_ID", 100001, 1)
  cdf = khabar_zipf_build(n, khabar_env_num("KHABAR_ZIPF_S", 1.0))
  tid = tonumber(khabar_tid) or 1
  threads = khabar_env_int("KHABAR_THREADS", 1, 1)
  local accept = os.getenv("KHABAR_ACCEPT_ENCODING")
  if accept == nil or accept == "" then accept = "gzip" end
  read_headers["Accept-Encoding"] = accept
  readers = 0
  khabar_n_reads, khabar_n_counted = 0, 0
  khabar_seed_rng()
end

function request()
  if id == nil then
    id = khabar_zipf_sample(cdf, n, math.random())
    return wrk.format("GET", "/api/v1/articles/" .. id, read_headers)
  end
  readers = readers + 1
  -- Threads interleave their readers' numbers: thread t takes t-1, t-1+T, ...
  local c = ((readers - 1) * threads + (tid - 1)) % 16777216
  beacon_headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
    math.floor(c / 65536) % 256, math.floor(c / 256) % 256, c % 256)
  local path = "/api/v1/articles/" .. id .. "/views"
  id = nil
  return wrk.format("POST", path, beacon_headers)
end

function response(status, hdrs, body)
  if status == 200 then
    if body:find('"counted":true', 1, true) then
      khabar_n_counted = khabar_n_counted + 1
    elseif not body:find('"counted"', 1, true) then
      khabar_n_reads = khabar_n_reads + 1
    end
  end
end

function khabar_result_extra(all)
  local reads, counted = 0, 0
  for _, th in ipairs(all) do
    reads = reads + (th:get("khabar_n_reads") or 0)
    counted = counted + (th:get("khabar_n_counted") or 0)
  end
  return string.format(" reads=%d counted=%d", reads, counted)
end
