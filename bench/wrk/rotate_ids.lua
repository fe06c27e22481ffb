-- GET <URL path><id>, rotating over the ids in the file BENCH_IDS_FILE (one a line).
local common = dofile("common.lua")
common.authorise()

local ids = {}
for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
  if line ~= "" then
    ids[#ids + 1] = line
  end
end
if #ids == 0 then
  error("BENCH_IDS_FILE has no ids")
end

-- Each thread starts at a different place in the list.
local threads = 0
function setup(thread)
  thread:set("start", threads * 7919)
  threads = threads + 1
end

local n = 0
function init(args)
  n = start or 0
end

function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. ids[(n % #ids) + 1])
end

done = common.done
