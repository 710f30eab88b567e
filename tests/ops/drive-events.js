#!/usr/bin/env node
// drive-events.js - posts Jira webhook events to a running `biq serve`,
// for the restore drill and the RPO bench (tests/ops/restore-drill.sh,
// bench/recovery.sh). Every event is the real webhook body of
// ../shared/realdata/jira-webhooks/webhook-issue-created.json with its own
// issue id and key (FROM, FROM+1, ...), so every one is a new row. An id
// is printed on stdout only after the server answered 200, i.e. after its
// commit: stdout is the list of acknowledged events. Errors are counted,
// never retried (an unacknowledged event is simply not listed); a summary
// goes to stderr. Tokens: `BIQ_DEV_MODULE="core:endpoint biq-events"
// build/biq-dev token ...`, minted again every 10 s (they live 25 s).
//
//   node drive-events.js --base URL --keys DIR --kid KID --app APP_ID
//        --tenant INSTALLATION --template FILE --from N --count N
//        [--project KEY] [--concurrency N] [--timestamps 1]
// With --timestamps 1 each line is "ID MILLISECONDS" (the acknowledgement's
// wall-clock time). SIGTERM stops it after the requests in flight.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { execFileSync } = require('child_process');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const from = Number(args.from), count = Number(args.count);
const project = args.project || 'DR';
const concurrency = Number(args.concurrency || 4);
const base = new URL(args.base);
const template = JSON.parse(fs.readFileSync(args.template, 'utf8'));
const biqDev = path.join(__dirname, '..', '..', 'build', 'biq-dev');
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

let token = null, minted = 0;
function bearer() {
    if (token === null || Date.now() - minted > 10000) {
        token = execFileSync(biqDev, ['token', args.keys, args.kid, args.app, args.tenant],
            { env: { ...process.env, BIQ_DEV_MODULE: 'core:endpoint biq-events' } }).toString().trim();
        minted = Date.now();
    }
    return token;
}

function body(id) {
    const ev = structuredClone(template);
    ev.issue.id = String(id);
    ev.issue.key = `${project}-${id}`;
    ev.issue.self = `https://drill.example.net/rest/api/2/issue/${id}`;
    ev.issue.fields.project.key = project;
    ev.timestamp = Date.now();
    return JSON.stringify(ev);
}

function post(id) {
    return new Promise((resolve) => {
        const data = body(id);
        const req = http.request({
            host: base.hostname, port: base.port, path: '/forge/events', method: 'POST', agent,
            headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data),
                       Authorization: `Bearer ${bearer()}` },
            timeout: 20000,
        }, (res) => {
            let text = '';
            res.on('data', (c) => { text += c; });
            res.on('end', () => resolve({ status: res.statusCode, text }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e) => resolve({ status: 0, text: String(e.message) }));
        req.end(data);
    });
}

let next = from, acked = 0, failed = 0, lastError = '';
let stopping = false;
process.on('SIGTERM', () => { stopping = true; });
async function worker() {
    while (!stopping && next < from + count) {
        const id = next++;
        const r = await post(id);
        if (r.status === 200) {
            fs.writeSync(1, args.timestamps === '1' ? `${id} ${Date.now()}\n` : `${id}\n`);
            acked++;
        } else {
            failed++;
            lastError = `${r.status} ${r.text.slice(0, 200)}`;
        }
    }
}
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    process.stderr.write(`drive-events: ${acked} acknowledged, ${failed} failed` +
        (failed ? ` (last: ${lastError})` : '') + '\n');
    agent.destroy();
});
