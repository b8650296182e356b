-- GET /api/v1/articles/{id} with id uniform over 1..KHABAR_MAX_ID (= N+1).
-- About 3% of generated articles are drafts and answer 404; that is expected
-- and shows up in the non-2xx count.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local max_id

function init(args)
  max_id = khabar_env_int("KHABAR_MAX_ID", 100001, 1)
  khabar_seed_rng()
end

function request()
  return wrk.format(nil, "/api/v1/articles/" .. math.random(1, max_id))
end
