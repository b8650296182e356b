-- POST /api/v1/articles/{id}/views (the view beacon, issue 7): Zipf-skewed
-- article ids (as article_zipf.lua: id 1 hottest, P(id = r) ~ 1 / r^s over
-- 1..KHABAR_MAX_ID), every request from a distinct client: X-Forwarded-For
-- 10.x.y.z behind a trusted proxy (the server runs with
-- KHABAR_TRUSTED_PROXIES=127.0.0.1), a browser User-Agent.
-- KHABAR_CLIENT_SPACE (default 0: unbounded) cycles the client numbers
-- modulo that many, KHABAR_CLIENT_BASE offsets them (so two runs do not
-- share clients). Counts the answers with "counted":true into the result
-- line (counted=N), so that the stored count can be checked against them.
-- KHABAR_POST_FOR_S (default 0: always) sends beacons for that many seconds
-- only and GET /healthz after: wrk does not read the answers in flight when
-- it stops, so a run whose tail is healthz has every beacon answered.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/article_zipf.lua") -- khabar_zipf_build/sample, common.lua

local cdf, n, tid, counter, space, base, threads, post_until
local headers = {
  ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
}

function init(args)
  n = khabar_env_int("KHABAR_MAX_ID", 100001, 1)
  local s = khabar_env_num("KHABAR_ZIPF_S", 1.0)
  cdf = khabar_zipf_build(n, s)
  tid = tonumber(khabar_tid) or 1
  threads = khabar_env_int("KHABAR_THREADS", 1, 1)
  space = khabar_env_int("KHABAR_CLIENT_SPACE", 0, 0)
  base = khabar_env_int("KHABAR_CLIENT_BASE", 0, 0)
  local post_for = khabar_env_int("KHABAR_POST_FOR_S", 0, 0)
  post_until = post_for > 0 and (os.time() + post_for) or nil
  counter = 0
  khabar_n_counted, khabar_n_ok = 0, 0
  khabar_seed_rng()
end

function request()
  if post_until ~= nil and os.time() >= post_until then
    return wrk.format("GET", "/healthz")
  end
  counter = counter + 1
  -- Threads interleave: thread t takes t-1, t-1+T, t-1+2T, ...
  local c = (counter - 1) * threads + (tid - 1)
  if space > 0 then c = c % space end
  c = c + base
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
    math.floor(c / 65536) % 256, math.floor(c / 256) % 256, c % 256)
  if c >= 16777216 then
    headers["X-Forwarded-For"] = string.format("11.%d.%d.%d",
      math.floor(c / 65536) % 256, math.floor(c / 256) % 256, c % 256)
  end
  local id = khabar_zipf_sample(cdf, n, math.random())
  return wrk.format("POST", "/api/v1/articles/" .. id .. "/views", headers)
end

function response(status, hdrs, body)
  if status == 200 then
    khabar_n_ok = khabar_n_ok + 1
    if body:find('"counted":true', 1, true) then
      khabar_n_counted = khabar_n_counted + 1
    end
  end
end

function khabar_result_extra(all)
  local counted, ok = 0, 0
  for _, th in ipairs(all) do
    counted = counted + (th:get("khabar_n_counted") or 0)
    ok = ok + (th:get("khabar_n_ok") or 0)
  end
  return string.format(" counted=%d s200=%d", counted, ok)
end
