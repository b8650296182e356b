-- POST /api/v1/articles/{KHABAR_POST_ARTICLE}/comments: every request from a
-- distinct client (X-Forwarded-For 10.x.y.z; the server runs with
-- KHABAR_COMMENT_TRUST_FORWARDED=true and flood control off) with a unique
-- body, so that neither flood control nor the duplicate check refuses it.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local path, tag, tid, counter
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  path = "/api/v1/articles/" .. khabar_env_int("KHABAR_POST_ARTICLE", 1, 1) .. "/comments"
  tag = os.getenv("KHABAR_RUN_TAG") or tostring(os.time())
  tid = tonumber(khabar_tid) or 1
  counter = 0
  khabar_seed_rng()
end

function request()
  counter = counter + 1
  local n = tid * 1000000 + counter
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  local body = '{"author_name":"قارئ ' .. tid .. '","author_email":"r' .. n .. '@example.com",' ..
    '"body":"تعليق تجريبي ' .. tag .. ' ' .. n .. '"}'
  return wrk.format("POST", path, headers, body)
end
