-- GET /api/v1/articles/{KHABAR_LIST_ARTICLE}/comments?page=P&per_page=20,
-- P uniform over the pages of its thread (KHABAR_COMMENT_PAGES).
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local base, pages

function init(args)
  base = "/api/v1/articles/" .. khabar_env_int("KHABAR_LIST_ARTICLE", 1, 1) ..
    "/comments?per_page=" .. khabar_env_int("KHABAR_PER_PAGE", 20, 1) .. "&page="
  pages = khabar_env_int("KHABAR_COMMENT_PAGES", 25, 1)
  khabar_seed_rng()
end

function request()
  return wrk.format("GET", base .. math.random(1, pages))
end
