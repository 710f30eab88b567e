-- dashboard.lua - wrk script for bench/dashboard.sh: GET the dashboard of
-- one project. BIQ_BENCH_COLD=1 walks the window through 1..365 days so
-- that (nearly) every request misses the dashboard cache and computes;
-- otherwise the same 30-day dashboard is asked for again and again (warm).
-- The walk is k -> k * 7919 mod 365 (a bijection: 7919 is prime to 365)
-- over k = n * threads + thread id, so wrk's threads never ask for the
-- same window until 365 requests have gone; BIQ_BENCH_OFFSET shifts k so
-- that consecutive runs start elsewhere in the walk.
local n = 0
local threads = 1
-- `id` is a global: setup() sets it in each thread's own Lua state.
local cold = os.getenv("BIQ_BENCH_COLD") == "1"
local offset = tonumber(os.getenv("BIQ_BENCH_OFFSET") or "0")
local path = "/api/v1/projects/" .. os.getenv("BIQ_BENCH_PROJECT") .. "/dashboard?window="
local made = 0

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
    local window = cold and tostring((k * 7919) % 365 + 1) or "30d"
    return wrk.format("GET", path .. window)
end

-- wrk's own report stops at p99: print p99.9 for bench/dashboard.sh.
function done(summary, latency, requests)
    io.write(string.format("p99.9 %.2fms\n", latency:percentile(99.9) / 1000))
end
