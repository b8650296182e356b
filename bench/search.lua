-- GET /api/v1/articles?q=QUERY&page=P&per_page=PER_PAGE: full-text search,
-- ranked by relevance (the default with q). KHABAR_QUERY is the raw query
-- (UTF-8 Arabic, words separated by spaces); it is URL-encoded here.
-- P is uniform over 1..KHABAR_PAGES (5).
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local reqs

function init(args)
  local q = os.getenv("KHABAR_QUERY")
  if q == nil or q == "" then error("KHABAR_QUERY must be set (the search text)") end
  reqs = khabar_page_requests("/api/v1/articles?q=" .. khabar_urlencode(q),
    khabar_env_int("KHABAR_PAGES", 5, 1), khabar_env_int("KHABAR_PER_PAGE", 20, 1))
  khabar_seed_rng()
end

function request()
  return reqs[math.random(1, #reqs)]
end
