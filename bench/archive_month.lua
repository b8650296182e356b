-- GET /api/v1/archive/{year}/{month}?page=P&per_page=PER_PAGE: one month of
-- published articles. The month is uniform over KHABAR_MONTHS ("2020/8,2021/3",
-- run.sh fills it from the calendar), P uniform over 1..KHABAR_PAGES (5).
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local reqs

function init(args)
  local pages = khabar_env_int("KHABAR_PAGES", 5, 1)
  local per_page = khabar_env_int("KHABAR_PER_PAGE", 20, 1)
  reqs = {}
  for _, m in ipairs(khabar_env_list("KHABAR_MONTHS")) do
    local y, mo = m:match("^(%d%d%d%d)/(%d%d?)$")
    if y == nil or tonumber(mo) < 1 or tonumber(mo) > 12 then
      error("KHABAR_MONTHS: bad month '" .. m .. "' (expected YYYY/M)")
    end
    for _, r in ipairs(khabar_page_requests("/api/v1/archive/" .. y .. "/" .. tonumber(mo), pages, per_page)) do
      reqs[#reqs + 1] = r
    end
  end
  if #reqs == 0 then error("KHABAR_MONTHS is empty (expected e.g. 2020/8,2021/3)") end
  khabar_seed_rng()
end

function request()
  return reqs[math.random(1, #reqs)]
end
