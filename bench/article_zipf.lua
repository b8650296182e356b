-- GET /api/v1/articles/{id} with Zipf-skewed ids: rank r -> id r, so id 1 is
-- the hottest article, P(id = r) ~ 1 / r^s over r in 1..KHABAR_MAX_ID (= N+1).
-- s comes from KHABAR_ZIPF_S (default 1.0). KHABAR_ACCEPT_ENCODING, when
-- set, is sent as Accept-Encoding (an app's HTTP stack sends "gzip").
--
-- Sampler: the CDF over all ranks is computed once per wrk thread in init()
-- (one double per rank: ~0.8 MB for 100k ids), then each request draws
-- u in [0,1) and binary-searches the smallest rank whose CDF >= u.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local cdf, n
local headers = {}

-- Exposed (global) so bench/selftest.lua can check it without wrk.
function khabar_zipf_build(count, s)
  local t = {}
  local acc = 0
  for r = 1, count do
    acc = acc + r ^ (-s)
    t[r] = acc
  end
  for r = 1, count do t[r] = t[r] / acc end
  t[count] = 1.0 -- guard against rounding: every u < 1 finds a rank
  return t
end

function khabar_zipf_sample(t, count, u)
  local lo, hi = 1, count
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if t[mid] >= u then hi = mid else lo = mid + 1 end
  end
  return lo
end

function init(args)
  n = khabar_env_int("KHABAR_MAX_ID", 100001, 1)
  local s = khabar_env_num("KHABAR_ZIPF_S", 1.0)
  if s < 0 then error("KHABAR_ZIPF_S must be >= 0") end
  cdf = khabar_zipf_build(n, s)
  local accept = os.getenv("KHABAR_ACCEPT_ENCODING")
  if accept ~= nil and accept ~= "" then headers["Accept-Encoding"] = accept end
  khabar_seed_rng()
end

function request()
  local id = khabar_zipf_sample(cdf, n, math.random())
  return wrk.format(nil, "/api/v1/articles/" .. id, headers)
end
