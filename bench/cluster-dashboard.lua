-- cluster-dashboard.lua - wrk script for bench/cluster.sh: GET dashboards
-- of one project that no cache has seen. bench/dashboard.lua's walk over
-- 365 windows repeats after 365 requests, which a small project at a
-- thousand requests a second passes within the first second (and every
-- later request is a dashboard-cache hit); here request k asks for window
-- k mod 365 + 1 as of day k div 365 before today (up to AS_OF_DAYS back),
-- so 365 * AS_OF_DAYS requests are all different dashboards, each
-- computed from the loaded-project cache. Threads interleave k as in
-- dashboard.lua; BIQ_BENCH_OFFSET shifts k between runs.
local AS_OF_DAYS = 180
local n = 0
local threads = 1
local made = 0
local offset = tonumber(os.getenv("BIQ_BENCH_OFFSET") or "0")
local path = "/api/v1/projects/" .. os.getenv("BIQ_BENCH_PROJECT") .. "/dashboard?window="
local today = os.time()

function setup(thread)
    thread:set("id", made)
    made = made + 1
end

function init(args)
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("BIQ_BENCH_TOKEN")
    threads = tonumber(os.getenv("BIQ_BENCH_THREADS") or "1")
end

function request()
    local k = offset + n * threads + (id or 0)
    n = n + 1
    local window = k % 365 + 1
    local back = math.floor(k / 365) % AS_OF_DAYS
    local day = os.date("!%Y-%m-%d", today - back * 86400)
    return wrk.format("GET", path .. window .. "&asOf=" .. day)
end
