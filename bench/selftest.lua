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
wrk = { format = function(method, path) return path end }
local fake_thread = { set = function(self, k, v) _G[k] = v end }

local failures = 0
local function check(cond, msg)
  if cond then print("ok    " .. msg) else print("FAIL  " .. msg); failures = failures + 1 end
end

local function load(script)
  init, request, setup, done = nil, nil, nil, nil
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
