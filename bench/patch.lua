-- PATCH /api/v1/articles/{id}: each request edits the summary of one article
-- with a fresh If-Match.
--
-- Ids: run.sh hands this run the range KHABAR_ID_LO..KHABAR_ID_HI (disjoint
-- from the ranges of the warm-up and of the background writer, so versions
-- are known: every article starts at 1). Thread t of KHABAR_THREADS owns a
-- contiguous, disjoint slice of that range and walks it round-robin, so two
-- threads never edit one article. Each thread keeps id -> version (1 at first)
-- and a set of ids in flight; an id still in flight is skipped, so one article
-- is never edited twice at once (the slice is far larger than the thread's
-- connections, so this almost never happens).
--
-- wrk's response() does not say which request it answers, so the article id
-- is read from the JSON body ({"data":{"id":123,...) and the new version from
-- the ETag header ("v2"; body "version" as fallback). Status counts
-- (200 / 412 / 428 / other) and parse failures are summed over threads in
-- done() and appended to the KHABAR_RESULT line.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

-- ---------------------------------------------------------------- pure logic
-- (global so bench/selftest.lua can check it without wrk)

-- Slice lo..hi into n contiguous parts; part t (1-based). Sizes differ by <= 1.
function khabar_slice(lo, hi, t, n)
  local count = hi - lo + 1
  local base, extra = math.floor(count / n), count % n
  local first = lo + (t - 1) * base + math.min(t - 1, extra)
  local size = base + ((t <= extra) and 1 or 0)
  return first, first + size - 1
end

function khabar_patch_state(lo, hi)
  return { lo = lo, hi = hi, next = lo, versions = {}, inflight = {}, inflight_n = 0,
           sent = 0, ok = 0, s412 = 0, s428 = 0, other = 0, parse_fail = 0, skipped = 0 }
end

-- The next id to edit: round-robin over lo..hi, skipping ids in flight
-- (at most one full turn; if every id is in flight, the next one is used).
function khabar_patch_next(st)
  local size = st.hi - st.lo + 1
  local id = st.next
  for _ = 1, size do
    if not st.inflight[id] then break end
    st.skipped = st.skipped + 1
    id = id + 1
    if id > st.hi then id = st.lo end
  end
  st.next = (id >= st.hi) and st.lo or id + 1
  if not st.inflight[id] then
    st.inflight[id] = true
    st.inflight_n = st.inflight_n + 1
  end
  st.sent = st.sent + 1
  return id, st.versions[id] or 1
end

local function header(headers, name)
  if headers == nil then return nil end
  local v = headers[name]
  if v ~= nil then return v end
  local want = name:lower()
  for k, val in pairs(headers) do
    if k:lower() == want then return val end
  end
  return nil
end

-- Record one answer. Returns the article id it was about, when known.
function khabar_patch_response(st, status, headers, body)
  if status == 200 then st.ok = st.ok + 1
  elseif status == 412 then st.s412 = st.s412 + 1
  elseif status == 428 then st.s428 = st.s428 + 1
  else st.other = st.other + 1 end
  if status ~= 200 then return nil end -- problem bodies carry no article id
  body = body or ""
  local id = tonumber(body:match('^%s*{%s*"data"%s*:%s*{%s*"id"%s*:%s*(%d+)') or
                      body:match('"id"%s*:%s*(%d+)'))
  local etag = header(headers, "etag")
  local version = tonumber(etag and etag:match('^%s*"v(%d+)"') or body:match('"version"%s*:%s*(%d+)'))
  if id == nil or version == nil then
    st.parse_fail = st.parse_fail + 1
    return nil
  end
  st.versions[id] = version
  if st.inflight[id] then
    st.inflight[id] = nil
    st.inflight_n = st.inflight_n - 1
  end
  return id
end

-- ---------------------------------------------------------------- wrk hooks
local st, token, tag, counter

function init(args)
  local lo = khabar_env_int("KHABAR_ID_LO", 2, 1)
  local hi = khabar_env_int("KHABAR_ID_HI", khabar_env_int("KHABAR_MAX_ID", 100001, 1), lo)
  local n = khabar_env_int("KHABAR_THREADS", 1, 1)
  local t = tonumber(khabar_tid) or 1
  if hi - lo + 1 < n then error("patch: id range " .. lo .. ".." .. hi .. " is smaller than the thread count") end
  local a, b = khabar_slice(lo, hi, t, n)
  st = khabar_patch_state(a, b)
  token = os.getenv("KHABAR_BENCH_TOKEN") or ""
  tag = os.getenv("KHABAR_RUN_TAG") or tostring(os.time())
  counter = 0
  khabar_seed_rng()
end

function request()
  local id, version = khabar_patch_next(st)
  counter = counter + 1
  local body = '{"summary":"ملخص معدل للقياس ' .. tag .. "-" .. (khabar_tid or 1) .. "-" .. counter .. '"}'
  return wrk.format("PATCH", "/api/v1/articles/" .. id, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["If-Match"] = '"v' .. version .. '"',
  }, body)
end

function response(status, headers, body)
  khabar_patch_response(st, status, headers, body)
  -- plain globals, so done() in the main state can read them with thread:get
  khabar_n_ok, khabar_n_412, khabar_n_428 = st.ok, st.s412, st.s428
  khabar_n_other, khabar_n_parse_fail, khabar_n_skipped = st.other, st.parse_fail, st.skipped
end

-- Main state: extra fields for the KHABAR_RESULT line (see common.lua).
function khabar_result_extra(threads)
  local sum = { ok = 0, s412 = 0, s428 = 0, other = 0, parse_fail = 0, skipped = 0 }
  for _, th in ipairs(threads) do
    sum.ok = sum.ok + (th:get("khabar_n_ok") or 0)
    sum.s412 = sum.s412 + (th:get("khabar_n_412") or 0)
    sum.s428 = sum.s428 + (th:get("khabar_n_428") or 0)
    sum.other = sum.other + (th:get("khabar_n_other") or 0)
    sum.parse_fail = sum.parse_fail + (th:get("khabar_n_parse_fail") or 0)
    sum.skipped = sum.skipped + (th:get("khabar_n_skipped") or 0)
  end
  return string.format(" s200=%d s412=%d s428=%d s_other=%d parse_fail=%d inflight_skips=%d",
    sum.ok, sum.s412, sum.s428, sum.other, sum.parse_fail, sum.skipped)
end
