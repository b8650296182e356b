-- GET /api/v1/articles/{id} of one hot article (KHABAR_ARTICLE_ID, default 1,
-- the seed article) with If-None-Match of its current tag: what an app or a
-- CDN revalidating a story it holds sends. The first answer of each thread
-- (a 200) gives the tag; every request after carries it and should get 304
-- (the count of 304s is printed as s304, the rest as s200).
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

khabar_n_304 = 0
khabar_n_ok = 0

local path
local headers = {}

function init(args)
  path = "/api/v1/articles/" .. khabar_env_int("KHABAR_ARTICLE_ID", 1, 1)
end

-- Formatted per request, as the other scripts do: the tag arrives later.
function request()
  return wrk.format("GET", path, headers)
end

function response(status, hdrs, body)
  if status == 304 then
    khabar_n_304 = khabar_n_304 + 1
  elseif status == 200 then
    khabar_n_ok = khabar_n_ok + 1
    local tag = hdrs["ETag"] or hdrs["etag"]
    if tag ~= nil then
      headers["If-None-Match"] = tag
    end
  end
end

function khabar_result_extra(all)
  local n304, ok = 0, 0
  for _, th in ipairs(all) do
    n304 = n304 + (th:get("khabar_n_304") or 0)
    ok = ok + (th:get("khabar_n_ok") or 0)
  end
  return string.format(" s304=%d s200=%d", n304, ok)
end
