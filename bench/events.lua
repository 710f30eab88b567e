-- events.lua - wrk script for bench/events.sh: POSTs Jira issue-created
-- events, each a new issue with one status transition, so every request is
-- a real write (a replay would be a cheap no-op). The token comes from the
-- environment; each wrk thread takes its own range of ids. With
-- BIQ_BENCH_PROJECTS=n (default 1) the events spread over n projects,
-- EV0..EV<n-1> by id mod n; with 1 they all go to project EV.
local counter = 0
-- `base` is the global each thread's setup() sets (thread:set): a chunk
-- local of that name would shadow it and give every thread the same ids,
-- so that events of two threads overwrote each other's issues and the
-- count of stored events fell short of the acknowledged ones.

function setup(thread)
    thread:set("base", (#threads_seen + 1) * 10000000)
    table.insert(threads_seen, thread)
end
threads_seen = {}

local projects = tonumber(os.getenv("BIQ_BENCH_PROJECTS") or "1") or 1

function init(args)
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("BIQ_BENCH_TOKEN")
end

function request()
    counter = counter + 1
    local id = (base or 0) + counter
    local project = "EV"
    if projects > 1 then
        project = "EV" .. (id % projects)
    end
    local body = string.format(
        '{"eventType":"avi:jira:created:issue","issue":{"id":"%d","key":"%s-%d",' ..
        '"fields":{"summary":"bench","project":{"id":"%d","key":"%s"},' ..
        '"status":{"id":"3","name":"In Progress","statusCategory":{"key":"indeterminate"}},' ..
        '"issuetype":{"name":"Task"},"created":"2024-01-01T10:00:00.000+0000",' ..
        '"updated":"2024-01-01T10:00:00.000+0000"},' ..
        '"changelog":{"total":1,"histories":[{"id":"%d","created":"2024-01-01T11:00:00.000+0000",' ..
        '"items":[{"field":"status","fieldId":"status","from":"1","to":"3"}]}]}}}',
        id, project, id, id % projects + 1, project, id)
    return wrk.format(nil, "/forge/events", nil, body)
end
