-- GET /api/v1/articles?section=SLUG: a section page. SLUG is uniform over
-- KHABAR_SECTIONS (comma-separated slugs). Half the requests ask for page P
-- (uniform over 1..KHABAR_PAGES, default 5, per_page PER_PAGE), the other half
-- walk on from a random-depth cursor (n<micros>_999999999, micros uniform over
-- KHABAR_CURSOR_MIN_US..KHABAR_CURSOR_MAX_US): a reader deep in the section.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local paged, bases, per_page, lo, hi

function init(args)
  local pages = khabar_env_int("KHABAR_PAGES", 5, 1)
  per_page = khabar_env_int("KHABAR_PER_PAGE", 20, 1)
  lo, hi = khabar_cursor_range()
  paged, bases = {}, {}
  for _, s in ipairs(khabar_env_list("KHABAR_SECTIONS")) do
    local base = "/api/v1/articles?section=" .. khabar_urlencode(s)
    bases[#bases + 1] = base .. "&per_page=" .. per_page .. "&cursor="
    for _, r in ipairs(khabar_page_requests(base, pages, per_page)) do paged[#paged + 1] = r end
  end
  if #bases == 0 then error("KHABAR_SECTIONS is empty (expected comma-separated slugs)") end
  khabar_seed_rng()
end

function request()
  if math.random() < 0.5 then return paged[math.random(1, #paged)] end
  return wrk.format(nil, bases[math.random(1, #bases)] .. khabar_random_cursor(lo, hi))
end
