-- GET /api/v1/feeds/{format}: the syndication feeds (50 newest articles
-- with their bodies unless KHABAR_FEED_LIMIT says otherwise). The format is
-- uniform over KHABAR_FEED_FORMATS (comma-separated, default
-- "rss,atom,json"). Half the requests ask for the whole site's feed, a
-- quarter for ?section=S and a quarter for ?tag=T, S and T uniform over
-- KHABAR_SECTIONS / KHABAR_TAGS (comma-separated slugs; without them every
-- request is the site's feed): what feed readers and partners poll.
-- KHABAR_FEED_GZIP=1 sends Accept-Encoding: gzip, as feed readers do.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

local site, by_section, by_tag

function init(args)
  local formats = khabar_env_list("KHABAR_FEED_FORMATS")
  if #formats == 0 then formats = { "rss", "atom", "json" } end
  local limit = os.getenv("KHABAR_FEED_LIMIT")
  local tail = ""
  if limit ~= nil and limit ~= "" then
    tail = "&limit=" .. khabar_env_int("KHABAR_FEED_LIMIT", 50, 1)
  end
  local headers = nil
  if os.getenv("KHABAR_FEED_GZIP") == "1" then headers = { ["Accept-Encoding"] = "gzip" } end
  site, by_section, by_tag = {}, {}, {}
  for _, f in ipairs(formats) do
    if f ~= "rss" and f ~= "atom" and f ~= "json" then
      error("KHABAR_FEED_FORMATS: unknown format '" .. f .. "' (rss, atom, json)")
    end
    local path = "/api/v1/feeds/" .. f
    -- Few distinct requests: build them once.
    site[#site + 1] = wrk.format(nil, path .. (tail ~= "" and ("?" .. tail:sub(2)) or ""), headers)
    for _, s in ipairs(khabar_env_list("KHABAR_SECTIONS")) do
      by_section[#by_section + 1] = wrk.format(nil, path .. "?section=" .. khabar_urlencode(s) .. tail, headers)
    end
    for _, t in ipairs(khabar_env_list("KHABAR_TAGS")) do
      by_tag[#by_tag + 1] = wrk.format(nil, path .. "?tag=" .. khabar_urlencode(t) .. tail, headers)
    end
  end
  khabar_seed_rng()
end

function request()
  local r = math.random()
  if r < 0.25 and #by_section > 0 then return by_section[math.random(1, #by_section)] end
  if r < 0.5 and #by_tag > 0 then return by_tag[math.random(1, #by_tag)] end
  return site[math.random(1, #site)]
end
