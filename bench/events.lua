-- events.lua - wrk script for bench/events.sh: POSTs Jira issue-created
-- events, each a new issue with one status transition, so every request is
-- a real write (a replay would be a cheap no-op). The token comes from the
-- environment; each wrk thread takes its own range of ids.
local counter = 0
local base = 0

function setup(thread)
    thread:set("base", (#threads_seen + 1) * 10000000)
    table.insert(threads_seen, thread)
end
threads_seen = {}

function init(args)
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("BIQ_BENCH_TOKEN")
end

function request()
    counter = counter + 1
    local id = base + counter
    local body = string.format(
        '{"eventType":"avi:jira:created:issue","issue":{"id":"%d","key":"EV-%d",' ..
        '"fields":{"summary":"bench","project":{"id":"1","key":"EV"},' ..
        '"status":{"id":"3","name":"In Progress","statusCategory":{"key":"indeterminate"}},' ..
        '"issuetype":{"name":"Task"},"created":"2024-01-01T10:00:00.000+0000",' ..
        '"updated":"2024-01-01T10:00:00.000+0000"},' ..
        '"changelog":{"total":1,"histories":[{"id":"%d","created":"2024-01-01T11:00:00.000+0000",' ..
        '"items":[{"field":"status","fieldId":"status","from":"1","to":"3"}]}]}}}',
        id, id, id)
    return wrk.format(nil, "/forge/events", nil, body)
end
