-- dashboard.lua - wrk script for bench/dashboard.sh: GET the dashboard of
-- one project. BIQ_BENCH_COLD=1 walks the window through 1..365 days so
-- that (nearly) every request misses the cache and computes; otherwise the
-- same 30-day dashboard is asked for again and again (warm).
local n = 0
local cold = os.getenv("BIQ_BENCH_COLD") == "1"
local path = "/api/v1/projects/" .. os.getenv("BIQ_BENCH_PROJECT") .. "/dashboard?window="

function init(args)
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("BIQ_BENCH_TOKEN")
end

function request()
    n = n + 1
    local window = cold and tostring((n * 7919) % 365 + 1) or "30d"
    return wrk.format("GET", path .. window)
end

-- wrk's own report stops at p99: print p99.9 for bench/dashboard.sh.
function done(summary, latency, requests)
    io.write(string.format("p99.9 %.2fms\n", latency:percentile(99.9) / 1000))
end
