-- One fixed request: the URL comes from the command line; the method and body from
-- BENCH_METHOD and BENCH_BODY (a JSON document, e.g. a GraphQL query).
local common = dofile("common.lua")
common.authorise()

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

done = common.done
