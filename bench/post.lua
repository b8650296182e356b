-- POST /api/v1/articles: creates published articles in section 1.
-- Titles are unique (run tag, thread id and a per-thread counter), so that
-- every slug is new: a taken slug would cost the server extra lookups for a
-- "-2", "-3" suffix. KHABAR_RUN_TAG (set by run.sh, different for warm-up and
-- measured run) keeps titles of successive runs apart.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")

-- (global so bench/selftest.lua can check it without wrk)
function khabar_post_body(tag, tid, n, section_id)
  return '{"title":"عنوان تجريبي ' .. tag .. " " .. tid .. " " .. n .. '",' ..
    '"section_id":' .. section_id .. ',' ..
    '"summary":"ملخص تجريبي للقياس",' ..
    '"body_html":"<p>نص تجريبي للقياس رقم ' .. n .. '</p>",' ..
    '"status":"published"}'
end

local headers, tag, tid, counter, section_id

function init(args)
  headers = {
    ["Authorization"] = "Bearer " .. (os.getenv("KHABAR_BENCH_TOKEN") or ""),
    ["Content-Type"] = "application/json",
  }
  tag = os.getenv("KHABAR_RUN_TAG") or tostring(os.time())
  tid = tonumber(khabar_tid) or 1
  section_id = khabar_env_int("KHABAR_POST_SECTION", 1, 1)
  counter = 0
  khabar_seed_rng()
end

function request()
  counter = counter + 1
  local h = {}
  for k, v in pairs(headers) do h[k] = v end -- wrk.format adds Host/Content-Length to it
  return wrk.format("POST", "/api/v1/articles", h, khabar_post_body(tag, tid, counter, section_id))
end
