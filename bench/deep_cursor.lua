-- GET /api/v1/articles?per_page=PER_PAGE&cursor=n<micros>_999999999: the plain
-- article list entered at a random depth (micros uniform over
-- KHABAR_CURSOR_MIN_US..KHABAR_CURSOR_MAX_US), which keyset paging must serve
-- as fast as the first page.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local prefix, lo, hi

function init(args)
  prefix = "/api/v1/articles?per_page=" .. khabar_env_int("KHABAR_PER_PAGE", 20, 1) .. "&cursor="
  lo, hi = khabar_cursor_range()
  khabar_seed_rng()
end

function request()
  return wrk.format(nil, prefix .. khabar_random_cursor(lo, hi))
end
