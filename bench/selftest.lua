-- Offline check of the wrk scripts' logic, without wrk or a server:
--   luajit bench/selftest.lua        (or lua5.1 bench/selftest.lua)
-- Stubs wrk/os.getenv, loads each script, draws many request paths and checks
-- ranges and skew. Exits non-zero on failure.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."

local N = 100000            -- articles seeded
local MAX_ID = N + 1        -- ids 1..N+1 (id 1 is the fixed seed article)
local env = {
  KHABAR_BENCH_DIR = dir,
  KHABAR_MAX_ID = tostring(MAX_ID),
  KHABAR_ZIPF_S = "1.0",
  KHABAR_LIST_PAGES = "50",
  KHABAR_PER_PAGE = "20",
  KHABAR_RNG_SEED = "12345",
}
os.getenv = function(k) return env[k] end
wrk = { format = function(method, path, headers, body)
  if method == nil then return path end
  return { method = method, path = path, headers = headers, body = body }
end }
local fake_thread = { set = function(self, k, v) _G[k] = v end }

local failures = 0
local function check(cond, msg)
  if cond then print("ok    " .. msg) else print("FAIL  " .. msg); failures = failures + 1 end
end

local function load(script)
  init, request, response, setup, done, khabar_result_extra = nil, nil, nil, nil, nil, nil
  dofile(dir .. "/" .. script)
  setup(fake_thread)
  if init then init({}) end
end

local DRAWS = 200000

-- Zipf
load("article_zipf.lua")
local counts, bad = {}, 0
for _ = 1, DRAWS do
  local id = tonumber(request():match("^/api/v1/articles/(%d+)$"))
  if id == nil or id < 1 or id > MAX_ID then bad = bad + 1
  else counts[id] = (counts[id] or 0) + 1 end
end
local c1, c2, c1000 = counts[1] or 0, counts[2] or 0, counts[1000] or 0
local H = 0
for r = 1, MAX_ID do H = H + 1 / r end
print(string.format("zipf: id1=%d id2=%d id1000=%d (expected id1 share %.4f, got %.4f)",
  c1, c2, c1000, 1 / H, c1 / DRAWS))
check(bad == 0, "zipf: every id within 1.." .. MAX_ID)
check(c1 > 100 * math.max(c1000, 1), "zipf: id 1 drawn >100x more often than id 1000")
check(math.abs(c1 / c2 - 2) < 0.2, "zipf: id1/id2 ratio ~2 for s=1")
check(math.abs(c1 / DRAWS - 1 / H) < 0.1 / H, "zipf: id 1 share within 10% of 1/H")
local t = khabar_zipf_build(MAX_ID, 1.0)
check(khabar_zipf_sample(t, MAX_ID, 0) == 1, "zipf: u=0 -> id 1")
check(khabar_zipf_sample(t, MAX_ID, 0.9999999999) <= MAX_ID, "zipf: u->1 stays <= max id")
check(khabar_zipf_sample(t, MAX_ID, 1.0) == MAX_ID, "zipf: u=1 -> max id")
local t1 = khabar_zipf_build(1, 1.0)
check(khabar_zipf_sample(t1, 1, 0.5) == 1, "zipf: single id works")

-- Uniform
load("article_uniform.lua")
local lo, hi, seen_max, seen_min = math.huge, -math.huge, false, false
bad = 0
for _ = 1, DRAWS do
  local id = tonumber(request():match("^/api/v1/articles/(%d+)$"))
  if id == nil or id < 1 or id > MAX_ID then bad = bad + 1 end
  if id then lo = math.min(lo, id); hi = math.max(hi, id) end
end
print(string.format("uniform: min=%d max=%d", lo, hi))
check(bad == 0, "uniform: every id within 1.." .. MAX_ID)
check(lo <= 10 and hi >= MAX_ID - 10, "uniform: covers the whole range")

-- List
load("list.lua")
local pc = {}
bad = 0
for _ = 1, DRAWS do
  local p, pp = request():match("^/api/v1/articles%?page=(%d+)&per_page=(%d+)$")
  p = tonumber(p)
  if p == nil or p < 1 or p > 50 or pp ~= "20" then bad = bad + 1 else pc[p] = (pc[p] or 0) + 1 end
end
local pmin, pmax = math.huge, 0
for p = 1, 50 do pmin = math.min(pmin, pc[p] or 0); pmax = math.max(pmax, pc[p] or 0) end
print(string.format("list: per-page draw counts min=%d max=%d (expected ~%d)", pmin, pmax, DRAWS / 50))
check(bad == 0, "list: page in 1..50, per_page=20")
check(pmin > 0.9 * DRAWS / 50 and pmax < 1.1 * DRAWS / 50, "list: pages roughly uniform")

-- PATCH: slices, round-robin, versions from ETag, in-flight skipping
load("patch.lua")
do
  -- slices cover lo..hi exactly once, sizes within 1
  local okslices = true
  for _, case in ipairs({ { 2, 3001, 2 }, { 10, 16, 3 }, { 5, 5, 1 }, { 1, 100, 7 } }) do
    local lo, hi, n = case[1], case[2], case[3]
    local expect, minsz, maxsz = lo, math.huge, 0
    for t = 1, n do
      local a, b = khabar_slice(lo, hi, t, n)
      if a ~= expect then okslices = false end
      expect = b + 1
      minsz = math.min(minsz, b - a + 1); maxsz = math.max(maxsz, b - a + 1)
    end
    if expect ~= hi + 1 or maxsz - minsz > 1 then okslices = false end
  end
  check(okslices, "patch: thread slices are disjoint, contiguous and cover the range")

  env.KHABAR_ID_LO, env.KHABAR_ID_HI, env.KHABAR_THREADS = "1002", "4001", "2"
  env.KHABAR_BENCH_TOKEN, env.KHABAR_RUN_TAG = "khb_test", "m"
  load("patch.lua") -- setup() gave this fake thread id 1: slice 1002..2501
  local r = request()
  check(r.method == "PATCH" and r.path == "/api/v1/articles/1002", "patch: first request edits the slice's first id")
  check(r.headers["If-Match"] == '"v1"' and r.headers["Authorization"] == "Bearer khb_test"
        and r.headers["Content-Type"] == "application/json", "patch: If-Match \"v1\", bearer token, JSON")
  check(r.body:match('^{"summary":".-m%-1%-1"}$') ~= nil, "patch: body changes the summary (run tag, thread, counter)")
  local r2 = request()
  check(r2.path == "/api/v1/articles/1003" and r2.body ~= r.body, "patch: next id, different summary")
  -- answer for 1002 (out of order: 1003 is still in flight)
  response(200, { etag = '"v2"' }, '{"data":{"id":1002,"status":"published","version":2,"slug":"x"}}')
  -- walk the whole slice (1500 ids) back round to 1002 and 1003
  local seen, inslice = {}, true
  local last
  for _ = 3, 1500 do
    last = request()
    local id = tonumber(last.path:match("(%d+)$"))
    if id < 1002 or id > 2501 then inslice = false end
    seen[id] = true
    response(200, { ETag = '"v7"' }, '{"data":{"id":' .. id .. ',"version":7}}') -- any header case
  end
  check(inslice, "patch: ids stay in the thread's slice")
  local r3 = request()
  check(r3.path == "/api/v1/articles/1002" and r3.headers["If-Match"] == '"v2"',
    "patch: round-robin wraps; If-Match is the version from the ETag")
  local r4 = request()
  check(r4.path == "/api/v1/articles/1004" and r4.headers["If-Match"] == '"v7"',
    "patch: an id still in flight (1003) is skipped")
  response(412, {}, '{"type":"urn:khabar:problem:precondition_failed","status":412}')
  response(200, {}, '{"data":{"id":1004,"status":"draft","version":8}}') -- no ETag: body version
  local r5
  for _ = 1, 1498 do r5 = request() end
  -- back at 1004 after a full turn (1002, 1003 still in flight are skipped)
  check(r5.path == "/api/v1/articles/1004" and r5.headers["If-Match"] == '"v8"', "patch: version falls back to the body")
  check(khabar_n_412 == 1 and khabar_n_ok == 1500 and khabar_n_parse_fail == 0, "patch: status counts")
  local fake = { get = function(self, k) return ({ khabar_n_ok = 10, khabar_n_412 = 1, khabar_n_428 = 0,
    khabar_n_other = 2, khabar_n_parse_fail = 0, khabar_n_skipped = 3 })[k] end }
  local extra = khabar_result_extra({ fake, fake })
  check(extra == " s200=20 s412=2 s428=0 s_other=4 parse_fail=0 inflight_skips=6", "patch: KHABAR_RESULT extra fields")
  env.KHABAR_ID_LO, env.KHABAR_ID_HI, env.KHABAR_THREADS = nil, nil, nil
end

-- POST: unique titles, valid-looking JSON
load("post.lua")
do
  local a, b = request(), request()
  check(a.method == "POST" and a.path == "/api/v1/articles" and a.headers["Authorization"] == "Bearer khb_test",
    "post: POST /api/v1/articles with the bearer token")
  local ta, tb = a.body:match('"title":"([^"]*)"'), b.body:match('"title":"([^"]*)"')
  check(ta ~= nil and tb ~= nil and ta ~= tb and ta:match(" m 1 1$") ~= nil, "post: titles unique (tag, thread, counter)")
  check(a.body:match('"section_id":1,') and a.body:match('"status":"published"}$'), "post: section 1, published")
end
env.KHABAR_BENCH_TOKEN, env.KHABAR_RUN_TAG = nil, nil

-- helpers for the list-type scripts
do
  check(khabar_urlencode("وزير الصحة") == "%D9%88%D8%B2%D9%8A%D8%B1%20%D8%A7%D9%84%D8%B5%D8%AD%D8%A9",
    "urlencode: Arabic bytes and the space are percent-encoded")
  check(khabar_urlencode("a-b_c.d~e/f&g") == "a-b_c.d~e%2Ff%26g", "urlencode: unreserved kept, / and & encoded")
  env.KHABAR_X = " a, b ,,c "
  local l = khabar_env_list("KHABAR_X")
  check(#l == 3 and l[1] == "a" and l[2] == "b" and l[3] == "c", "env_list: trims and skips empty items")
  check(#khabar_env_list("KHABAR_UNSET") == 0, "env_list: unset gives {}")
  env.KHABAR_X = nil
  local lo, hi, bad, mn, mx = 1344000000000000, 1722000000123456, 0, math.huge, 0
  for _ = 1, DRAWS do
    local c = khabar_random_cursor(lo, hi)
    local us = tonumber(c:match("^n(%d+)_999999999$"))
    if us == nil or us < lo or us > hi then bad = bad + 1 else mn = math.min(mn, us); mx = math.max(mx, us) end
  end
  check(bad == 0, "cursor: n<micros>_999999999 with micros within the range")
  check(mn - lo < (hi - lo) / 1000 and hi - mx < (hi - lo) / 1000, "cursor: covers the range")
end

env.KHABAR_MONTHS = "2014/8,2020/12,2024/3"
env.KHABAR_PAGES = "5"
env.KHABAR_SECTIONS = "politics,economy"
env.KHABAR_TAGS = "gaza,oil,football"
env.KHABAR_CURSOR_MIN_US = "1344000000000000"
env.KHABAR_CURSOR_MAX_US = "1722000000000000"
env.KHABAR_QUERY = "وزير الصحة"

load("archive_month.lua")
do
  local seen, bad = {}, 0
  for _ = 1, DRAWS / 10 do
    local y, m, p, pp = request():match("^/api/v1/archive/(%d+)/(%d+)%?page=(%d)&per_page=(%d+)$")
    if y == nil or pp ~= "20" or tonumber(p) < 1 or tonumber(p) > 5 then bad = bad + 1
    else seen[y .. "/" .. m .. "/" .. p] = true end
  end
  local n = 0
  for _ in pairs(seen) do n = n + 1 end
  check(bad == 0 and n == 15 and seen["2014/8/1"] and seen["2020/12/5"], "archive_month: 3 months x pages 1..5")
end

load("search.lua")
do
  local seen, bad = {}, 0
  for _ = 1, DRAWS / 10 do
    local p = request():match("^/api/v1/articles%?q=%%D9%%88%%D8%%B2%%D9%%8A%%D8%%B1%%20%%D8%%A7%%D9%%84%%D8%%B5%%D8%%AD%%D8%%A9&page=(%d)&per_page=20$")
    if p == nil then bad = bad + 1 else seen[p] = true end
  end
  check(bad == 0 and seen["1"] and seen["5"] and not seen["6"], "search: encoded q, pages 1..5")
end

load("calendar.lua")
do
  local c = { plain = 0, section = 0, tag = 0, bad = 0 }
  for _ = 1, DRAWS / 10 do
    local r = request()
    if r == "/api/v1/archive" then c.plain = c.plain + 1
    elseif r:match("^/api/v1/archive%?section=[a-z]+$") then c.section = c.section + 1
    elseif r:match("^/api/v1/archive%?tag=[a-z]+$") then c.tag = c.tag + 1
    else c.bad = c.bad + 1 end
  end
  local n = DRAWS / 10
  check(c.bad == 0 and math.abs(c.plain / n - 0.5) < 0.02 and math.abs(c.section / n - 0.25) < 0.02
    and math.abs(c.tag / n - 0.25) < 0.02, "calendar: 1/2 plain, 1/4 section, 1/4 tag")
  env.KHABAR_SECTIONS, env.KHABAR_TAGS = "", ""
  load("calendar.lua")
  local allplain = true
  for _ = 1, 1000 do if request() ~= "/api/v1/archive" then allplain = false end end
  check(allplain, "calendar: no lists -> the whole calendar only")
  env.KHABAR_SECTIONS, env.KHABAR_TAGS = "politics,economy", "gaza,oil,football"
end

for _, kind in ipairs({ "tag", "section" }) do
  load(kind .. "_page.lua")
  local paged, cur, bad, slugs = 0, 0, 0, {}
  local lo, hi = 1344000000000000, 1722000000000000
  for _ = 1, DRAWS / 10 do
    local r = request()
    local slug, p = r:match("^/api/v1/articles%?" .. kind .. "=([a-z]+)&page=(%d)&per_page=20$")
    if slug and tonumber(p) >= 1 and tonumber(p) <= 5 then paged = paged + 1; slugs[slug] = true
    else
      local s2, us = r:match("^/api/v1/articles%?" .. kind .. "=([a-z]+)&per_page=20&cursor=n(%d+)_999999999$")
      us = tonumber(us)
      if s2 and us >= lo and us <= hi then cur = cur + 1; slugs[s2] = true else bad = bad + 1 end
    end
  end
  local ns = 0
  for _ in pairs(slugs) do ns = ns + 1 end
  check(bad == 0 and math.abs(paged / (DRAWS / 10) - 0.5) < 0.02 and ns == (kind == "tag" and 3 or 2),
    kind .. "_page: half pages 1..5, half random cursors, every slug")
end

load("deep_cursor.lua")
do
  local bad = 0
  for _ = 1, DRAWS / 10 do
    local us = tonumber(request():match("^/api/v1/articles%?per_page=20&cursor=n(%d+)_999999999$"))
    if us == nil or us < 1344000000000000 or us > 1722000000000000 then bad = bad + 1 end
  end
  check(bad == 0, "deep_cursor: per_page=20, cursor within the corpus range")
end
env.KHABAR_MONTHS, env.KHABAR_PAGES, env.KHABAR_SECTIONS, env.KHABAR_TAGS = nil, nil, nil, nil
env.KHABAR_CURSOR_MIN_US, env.KHABAR_CURSOR_MAX_US, env.KHABAR_QUERY = nil, nil, nil

-- done() output format
load("healthz.lua")
local out = {}
local real_write = io.write
io.write = function(s) out[#out + 1] = s end
done({ duration = 10e6, requests = 12345,
       errors = { connect = 0, read = 1, write = 0, status = 42, timeout = 0 } },
     { percentile = function(self, p) return p * 10 end, max = 5000 }, {})
io.write = real_write
local line = table.concat(out)
io.write(line)
check(line:match("^KHABAR_RESULT requests=12345 duration_s=10%.000 rps=1234%.50 p50_ms=0%.500 ") ~= nil,
  "done: summary line format")
check(line:match(" p99_ms=0%.990 ") and line:match(" non2xx=42 ") and line:match(" read_err=1 "),
  "done: p99/non2xx/read_err fields")

if failures > 0 then
  print(failures .. " check(s) failed"); os.exit(1)
end
print("all Lua checks passed")
