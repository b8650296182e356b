-- GET /api/v1/archive: the archive calendar (years, months, counts).
-- Without KHABAR_SECTIONS / KHABAR_TAGS (comma-separated slugs) every request
-- is the whole calendar. With them, half the requests are the whole calendar,
-- a quarter ?section=<random slug> and a quarter ?tag=<random slug> (when
-- only one list is given, it takes the other's share). KHABAR_CALENDAR_FILTERS=0
-- ignores the lists.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local plain, by_section, by_tag

function init(args)
  plain = wrk.format(nil, "/api/v1/archive")
  by_section, by_tag = {}, {}
  if os.getenv("KHABAR_CALENDAR_FILTERS") ~= "0" then
    for _, s in ipairs(khabar_env_list("KHABAR_SECTIONS")) do
      by_section[#by_section + 1] = wrk.format(nil, "/api/v1/archive?section=" .. khabar_urlencode(s))
    end
    for _, s in ipairs(khabar_env_list("KHABAR_TAGS")) do
      by_tag[#by_tag + 1] = wrk.format(nil, "/api/v1/archive?tag=" .. khabar_urlencode(s))
    end
  end
  khabar_seed_rng()
end

function request()
  local ns, nt = #by_section, #by_tag
  if ns + nt == 0 then return plain end
  local u = math.random()
  if u < 0.5 then return plain end
  if nt == 0 or (ns > 0 and u < 0.75) then return by_section[math.random(1, ns)] end
  return by_tag[math.random(1, nt)]
end
