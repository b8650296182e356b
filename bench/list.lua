-- GET /api/v1/articles?page=P&per_page=PER_PAGE with P uniform over
-- 1..KHABAR_LIST_PAGES (default 50, per_page default 20).
-- Only the first pages are exercised on purpose: that is what apps hit (home
-- feed, "load more" a few times); deep OFFSET pagination is out of scope.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local reqs, pages

function init(args)
  pages = khabar_env_int("KHABAR_LIST_PAGES", 50, 1)
  local per_page = khabar_env_int("KHABAR_PER_PAGE", 20, 1)
  reqs = {}
  for p = 1, pages do -- few distinct requests: build them once
    reqs[p] = wrk.format(nil, "/api/v1/articles?page=" .. p .. "&per_page=" .. per_page)
  end
  khabar_seed_rng()
end

function request()
  return reqs[math.random(1, pages)]
end
