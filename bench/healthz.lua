-- GET /healthz: in-process baseline (no database). The URL given to wrk
-- carries the path; this script only adds the KHABAR_RESULT summary line.
local dir = os.getenv("KHABAR_BENCH_DIR")
if dir == nil or dir == "" then
  dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
end
dofile(dir .. "/common.lua")
