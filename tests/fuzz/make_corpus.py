#!/usr/bin/env python3
"""make_corpus.py - (re)builds the seed corpora in tests/fuzz/corpus/<harness>/.

Seeds come from ../shared/realdata (Jira captures) and ../shared/vectors
(Wycheproof JOSE vectors), trimmed so the whole corpus stays a few MB, plus
hand-written edge cases. Inputs that libFuzzer later found interesting or
crashing are added next to these by hand (crash-*, cov-*) and are never
removed by this script (it only writes seed-* files).

Usage: tests/fuzz/make_corpus.py [--shared DIR] [--key PEM] [--only HARNESS...]
--only: write the seeds of these harnesses only (the others keep theirs).
--key: the private half of the RSA key embedded in fuzz_jws.c; with it the
script also writes signed tokens (seed-signed-*). The key was generated for
that purpose and discarded; without it the existing signed seeds are kept.
"""
import argparse
import base64
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
APP = "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"
INST = "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b1"
NOW = 1767225600  # FUZZ_NOW in fuzz.h


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def put(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def payload(**over):
    p = {
        "iss": "forge/invocation-token", "aud": APP, "iat": NOW - 5, "nbf": NOW - 5,
        "exp": NOW + 20, "jti": "0123456789abcdef0123456789abcdef01234567",
        "app": {"id": APP, "installationId": INST, "apiBaseUrl": "https://api.atlassian.com/ex/jira/x",
                "environment": {"type": "DEVELOPMENT", "id": "e"},
                "module": {"type": "xen:macro", "key": "biq-project-page"}},
        "context": {"cloudId": "c0ffee", "siteUrl": "https://example.atlassian.net",
                    "moduleKey": "biq-project-page",
                    "extension": {"project": {"id": "10000", "key": "FLOW", "type": "software"}}},
        "principal": "557058:test-user",
    }
    p.update(over)
    return p


def claims_seeds():
    put("fuzz_claims", "valid", compact(payload()))
    put("fuzz_claims", "aud-array", compact(payload(aud=[APP, "other"])))
    put("fuzz_claims", "real-times", compact(payload(iat=NOW - 4.5, exp=NOW + 19.25, nbf=NOW - 0.5)))
    put("fuzz_claims", "expired", compact(payload(exp=NOW)))
    put("fuzz_claims", "no-context", compact({k: v for k, v in payload().items() if k != "context"}))
    issue = payload()
    issue["context"]["extension"] = {"issue": {"id": "10001", "key": "FLOW-1", "type": "Story"},
                                     "project": {"id": "10000", "key": "FLOW", "type": "software"}}
    put("fuzz_claims", "issue-panel", compact(issue))
    put("fuzz_claims", "dup", '{"aud":"a","aud":"b"}')


def sign(key, header, body):
    h = b64u(header.encode())
    p = b64u(body.encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=(h + "." + p).encode(),
                         capture_output=True, check=True).stdout
    return h + "." + p + "." + b64u(sig)


def jose_seeds(shared, key):
    wy = os.path.join(shared, "vectors", "wycheproof")
    toks = []
    n_sets = 0
    for fn in ("json_web_crypto_test.json", "json_web_key_test.json"):
        with open(os.path.join(wy, fn)) as f:
            doc = json.load(f)
        for g in doc["testGroups"]:
            for k in ("private", "public"):
                if isinstance(g.get(k), dict):
                    ks = g[k] if "keys" in g[k] else {"keys": [g[k]]}
                    put("fuzz_jwks", "wy-%s-%d" % (k, n_sets), compact(ks))
                    n_sets += 1
            for t in g["tests"]:
                if isinstance(t.get("jws"), str) and t["jws"].count(".") == 2:
                    toks.append(t["jws"])
    for i, t in enumerate(sorted(set(toks))[:40]):
        put("fuzz_jws", "wy-%02d" % i, t)
        for j, seg in enumerate(t.split(".")[:2]):
            put("fuzz_b64url", "wy-%02d-%d" % (i, j), seg)
    with open(os.path.join(HERE, "fuzz_jws.c")) as f:
        src = f.read()
    n = "".join(l.strip().strip('"') for l in src.split('\\"n\\":\\"')[1].split("\\\"}]}")[0].splitlines())
    jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "fuzz-key-1", "e": "AQAB", "n": n}
    put("fuzz_jwks", "fuzz-key", compact({"keys": [jwk]}))
    put("fuzz_jwks", "two-keys", compact({"keys": [jwk, dict(jwk, kid="fuzz-key-2")]}))
    put("fuzz_jwks", "private-member", compact({"keys": [dict(jwk, d="AQAB")]}))
    put("fuzz_jwks", "bad-e", compact({"keys": [dict(jwk, e="AAEAAQ")]}))
    for s in ("", "QQ", "QUI", "QUJD", "Q===", "QR", "-_-_", "A"):
        put("fuzz_b64url", "edge-" + b64u(s.encode()) if s else "edge-empty", s)
    if key:
        hdr = compact({"alg": "RS256", "kid": "fuzz-key-1", "typ": "JWT"})
        put("fuzz_jws", "signed-valid", sign(key, hdr, compact(payload())))
        put("fuzz_jws", "signed-dup-claims", sign(key, hdr, '{"iss":"a","iss":"b"}'))
        put("fuzz_jws", "signed-not-json", sign(key, hdr, "hello"))
        put("fuzz_jws", "signed-crit", sign(key, compact({"alg": "RS256", "kid": "fuzz-key-1", "crit": ["b64"]}), "{}"))


def ingest_seeds(shared):
    rd = os.path.join(shared, "realdata")
    wh = os.path.join(rd, "jira-webhooks")
    for fn in sorted(os.listdir(wh)):
        with open(os.path.join(wh, fn), "rb") as f:
            put("fuzz_ingest_event", fn, f.read())
    dm = os.path.join(rd, "devlake-merico")
    with open(os.path.join(dm, "issues-with-changelog.json")) as f:
        page = json.load(f)
    small = dict(page, issues=page["issues"][:2], maxResults=2)
    put("fuzz_ingest_issue_page", "devlake-2-issues.json", json.dumps(small))
    put("fuzz_ingest_issue_page", "jql-page.json", compact({"nextPageToken": "abc", "isLast": False, "issues": page["issues"][2:3]}))
    put("fuzz_ingest_issue_page", "bare-array.json", compact(page["issues"][3:4]))
    for fn in ("statuses.json", "sprints.json", "projects.json"):
        with open(os.path.join(dm, fn), "rb") as f:
            put("fuzz_ingest_catalog", fn, f.read())
    with open(os.path.join(dm, "sprints.json")) as f:
        sp = json.load(f)
    put("fuzz_ingest_issue_page", "with-catalog.json", compact({"issues": page["issues"][4:5], "statuses": [], "sprints": sp.get("values", sp)[:2]}))
    with open(os.path.join(dm, "changelog-issue-13491.json")) as f:
        cl = json.load(f)
    put("fuzz_ingest_changelog", "13491.json", json.dumps(cl))
    put("fuzz_ingest_changelog", "13491-first.json", compact(dict(cl, values=cl["values"][:3])))
    for i, t in enumerate(["2023-05-01T12:34:56.789+0000", "2023-05-01T12:34:56Z", "2023-05-01T12:34:56.1-05:30",
                           "0001-01-01T00:00:00+18", "9999-12-31T23:59:59.999999999-1800", "2024-02-29T00:00:00Z",
                           "2023-02-29T00:00:00Z", "2023-05-01T24:00:00Z", "2023-05-01T12:34:60Z"]):
        put("fuzz_instant", "%02d" % i, t)


def router_seeds():
    for i, s in enumerate(["GET /healthz", "GET /api/v1/projects/FLOW/dashboard?window=30d",
                           "GET /api/v1/projects/FL%4FW/charts/cfd?window=sprint&x=%zz",
                           "POST /forge/backfill/FLOW/page", "DELETE /api/v1/alerts/rules/12",
                           "PUT /api/v1/projects/%2F/settings", "GET /api/v1/issues/FLOW-1/time-in-status?from=2024-01-01&to=2024-02-01",
                           "GET //", "GET /api/v1/projects/a/export.csv?window=99999d"]):
        put("fuzz_router", "%02d" % i, s)


# ---- issue 21: the harnesses of the remaining untrusted parsers ----------

def slim_issue(issue):
    """What the ingest parser reads of an issue (the realdata issues are
    ~50 KB of rendered fields each): ids, the fields it keeps, status items
    of the changelog."""
    keep = ("summary", "status", "issuetype", "priority", "project", "assignee", "created",
            "updated", "resolutiondate", "security", "customfield_10016", "customfield_10020")
    f = issue.get("fields", {})
    out = {"id": issue["id"], "key": issue["key"],
           "fields": {k: f[k] for k in keep if k in f}}
    st = out["fields"].get("status")
    if isinstance(st, dict):
        out["fields"]["status"] = {k: st[k] for k in ("id", "name", "statusCategory") if k in st}
        sc = st.get("statusCategory")
        if isinstance(sc, dict):
            out["fields"]["status"]["statusCategory"] = {"key": sc.get("key")}
    pr = out["fields"].get("project")
    if isinstance(pr, dict):
        out["fields"]["project"] = {k: pr[k] for k in ("id", "key", "name") if k in pr}
    for k in ("issuetype", "priority", "assignee"):
        v = out["fields"].get(k)
        if isinstance(v, dict):
            out["fields"][k] = {n: v[n] for n in ("name", "displayName") if n in v}
    cl = issue.get("changelog")
    if isinstance(cl, dict):
        hs = []
        for h in cl.get("histories", []):
            items = [i for i in h.get("items", []) if i.get("field") == "status"]
            if items:
                hs.append({"id": h["id"], "created": h["created"], "items": items})
        out["changelog"] = {"startAt": 0, "maxResults": len(hs), "total": len(hs), "histories": hs}
    return out


def synthetic_issue(n, created, moves, status="3"):
    """An issue created at `created` moving through (instant, from, to)."""
    names = {"1": "To Do", "3": "In Progress", "10001": "In Review", "10002": "Done"}
    cats = {"1": "new", "3": "indeterminate", "10001": "indeterminate", "10002": "done"}
    hs = [{"id": str(1000 * n + i), "created": at,
           "items": [{"field": "status", "fieldtype": "jira", "from": a, "fromString": names[a],
                      "to": b, "toString": names[b]}]} for i, (at, a, b) in enumerate(moves)]
    return {"id": str(20000 + n), "key": "FZ-%d" % n, "fields": {
        "summary": "=HYPERLINK(\"x\",\"y\"), \"quoted\"\r\nline", "created": created,
        "updated": moves[-1][0] if moves else created,
        "status": {"id": status, "name": names[status], "statusCategory": {"key": cats[status]}},
        "issuetype": {"name": "Story"}, "priority": {"name": "High"},
        "project": {"id": "10000", "key": "FZ"}},
        "changelog": {"startAt": 0, "maxResults": len(hs), "total": len(hs), "histories": hs}}


def flow_seeds(shared):
    dm = os.path.join(shared, "realdata", "devlake-merico")
    with open(os.path.join(dm, "issues-with-changelog.json")) as f:
        page = json.load(f)
    issues = [slim_issue(i) for i in page["issues"]]
    with open(os.path.join(dm, "statuses.json")) as f:
        statuses = json.load(f)
    with open(os.path.join(dm, "sprints.json")) as f:
        sprints = json.load(f)
    put("fuzz_flow_path", "devlake-all.json", compact({"startAt": 0, "maxResults": 50,
                                                       "total": len(issues), "issues": issues}))
    put("fuzz_flow_path", "devlake-3-catalog.json", compact({
        "issues": issues[:3], "statuses": statuses[:12], "sprints": sprints.get("values", sprints)[:4]}))
    put("fuzz_flow_path", "jql-page.json", compact({"nextPageToken": "t", "isLast": True,
                                                    "issues": issues[3:6]}))
    recent = [synthetic_issue(1, "2025-11-28T09:15:00.000+0100", [
        ("2025-12-01T10:00:00.000+0100", "1", "3"), ("2025-12-05T16:59:59.999+0100", "3", "10001"),
        ("2025-12-24T08:00:00.000+0100", "10001", "10002")], "10002"),
        synthetic_issue(2, "2025-03-28T18:00:00.000+0100", [
            ("2025-03-30T01:59:00.000+0100", "1", "3"), ("2025-03-30T03:01:00.000+0200", "3", "1"),
            ("2025-10-26T02:30:00.000+0200", "1", "3")]),
        synthetic_issue(3, "2025-12-31T23:59:59.999Z", [])]
    put("fuzz_flow_path", "dst-holidays.json", compact({"issues": recent}))
    # Long but ordinary spans: 1970 to now (the issue-21 adversarial dates,
    # year 0001 to 9999, are kept out until working time is closed-form: a
    # replay would take seconds).
    put("fuzz_flow_path", "since-1970.json", compact({"issues": [synthetic_issue(
        4, "1970-01-01T00:00:00.000Z", [("1999-12-31T23:59:59.000-1200", "1", "3"),
                                        ("2025-12-31T23:00:00.000+1400", "3", "10002")], "10002")]}))


def csv_seeds():
    cells = [["EE-1", "Fix the login page", "EE", "In Progress", "Done"],
             ["EE-2", "=cmd|'/c calc'!A1", "EE", "+In, \"Review\"", "@SUM(A1:A9)"],
             ["-1", "a\r\nb\rc\nd", "\tP", "\rS", ""],
             ["", "", "", "", ""],
             ["K,\"", "\"\"\"", "P\"", ",", "\u00e9t\u00e9 \u2603"]]
    for i, c in enumerate(cells):
        put("fuzz_csv", "%02d" % i, "\0".join(c))
    put("fuzz_csv", "long-quotes", "K\0" + "\"" * 3000 + "\0P\0S\0T")


def tz_seeds():
    zones = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia",
             "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham", "Africa/Casablanca",
             "Antarctica/Troll", "UTC")
    footers = []
    for z in zones:
        path = os.path.join("/usr/share/zoneinfo", z)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        name = z.replace("/", "-")
        put("fuzz_tzif", name, data)
        isut, isstd, leap, time, typ, chars = (int.from_bytes(data[20 + 4 * k:24 + 4 * k], "big")
                                               for k in range(6))
        v1_len = 44 + time * 5 + typ * 6 + chars + leap * 8 + isstd + isut
        put("fuzz_tzif", name + "-v1-only", b"TZif\0" + data[5:v1_len])
        put("fuzz_tzif", name + "-truncated", data[:len(data) // 2])
        footers.append(data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace"))
    for i, s in enumerate(sorted(set(footers)) + [
            "UTC0", "EST5EDT", "<+0330>-3:30", "<-03>3", "IST-5:30", "NZST-12NZDT,M9.5.0,M4.1.0/3",
            "EST5EDT,J60/2,300/-1", "XXX-24:59:59YYY,M12.5.6/167,J365/-167", "A0B,0,365",
            "<+14>-14<+15>-15,M1.1.0/0,M12.5.6/24", "CET-1CEST,M3.5.0,M10.5.0/3"]):
        put("fuzz_tz_posix", "%02d" % i, s)


def alert_seeds():
    rules = [{"kind": "stuck_in_status", "params": {"statusId": 3, "thresholdHours": 48}},
             {"kind": "stuck_in_status", "name": "Stuck", "enabled": False, "cooldownMinutes": 5,
              "destinationIds": [1, 2]},
             {"kind": "wip_breach", "params": {"statusId": "10001"}},
             {"kind": "cycle_time_exceeded", "params": {"days": 365}},
             {"kind": "no_activity", "params": {"days": 1}, "cooldownMinutes": 10080},
             {"kind": "trend_worsening", "params": {"metric": "leadTime", "percent": 500}},
             {"kind": "trend_worsening", "params": {"metric": "wip"}, "name": "\u00e9\u2603"}]
    dests = [{"kind": "email", "name": "Team", "address": "team@example.com", "isDefault": True},
             {"kind": "slack", "name": "S", "url": "https://hooks.slack.com/services/T0/B0/x"},
             {"kind": "teams", "name": "T", "url": "https://prod-12.westus.logic.azure.com:443/"
              "workflows/a/triggers/manual/paths/invoke?sig=s", "active": False},
             {"kind": "teams", "name": "P", "url": "https://default1a2b.3c.environment.api."
              "powerplatform.com/powerautomate/x"},
             {"kind": "teams", "name": "O", "url": "https://acme.webhook.office.com/webhookb2/x"},
             {"kind": "slack", "name": "L", "url": "http://127.0.0.1:8099/hook"},
             {"kind": "slack", "name": "L6", "url": "http://[::1]:9001/hook"},
             {"kind": "teams", "name": "U", "url": "https://\u00e9vil.logic.azure.com/x"},
             {"kind": "teams", "name": "D", "url": "https://x%7f.logic.azure.com/x"},
             {"kind": "slack", "name": "E", "url": "https://hooks.slack.co%6d/services/x"},
             {"kind": "slack", "name": "A", "url": "https://hooks.slack.com@evil.io/x"},
             {"kind": "email", "name": "N"}]
    for i, r in enumerate(rules):
        put("fuzz_alerts_validate", "rule-%02d" % i, compact(r))
    for i, d in enumerate(dests):
        put("fuzz_alerts_validate", "dest-%02d" % i, compact(d))
    put("fuzz_alerts_validate", "raw-url", "https://HOOKS.slack.com:443/services/x")


def body_seeds(shared):
    site = "ari:cloud:jira::site/5f1c2d3e-aaaa-bbbb-cccc-0123456789ab"
    life = [{"eventType": "avi:forge:installed:app", "id": "8d1c0b9e-0000-4000-8000-000000000001",
             "installerAccountId": "557058:x", "context": site,
             "app": {"id": "ari:cloud:ecosystem::app/x", "version": "1.2.0"},
             "environment": {"id": "e"}},
            {"payload": {"eventType": "avi:forge:upgraded:app", "context": site}},
            {"eventType": "avi:forge:uninstalled:app"},
            {"eventType": "avi:jira:created:issue", "context": "ari:cloud:jira::site/a/../b"},
            {"eventType": 3, "payload": {"eventType": "avi:forge:installed:app",
                                         "context": "ari:cloud:jira::site/" + "x" * 64}}]
    for i, b in enumerate(life):
        put("fuzz_lifecycle", "%02d" % i, compact(b))
    rec = [{"startedAt": "2026-01-02T03:00:00Z", "finishedAt": "2026-01-02T03:05:00Z",
            "projects": ["A", "B"], "issues": 40},
           {"startedAt": "2026-01-02T03:00:00.123+0530", "finishedAt": "2026-01-02T03:00:00.123+05:30"},
           {"startedAt": "2026-01-02T03:00:00Z", "finishedAt": "2026-01-01T00:00:00Z"},
           {"ids": ["10063", 10064, "9223372036854775807", 9223372036854775807]},
           {"ids": ["99999999999999999999", " 12", "+12", "012", "-1", "1e3"]},
           {"ids": [], "projectKey": "FLOW_2", "R": "r"},
           {"ids": "1,3"}]
    for i, b in enumerate(rec):
        put("fuzz_reconcile", "%02d" % i, compact(b))
    dm = os.path.join(shared, "realdata", "devlake-merico")
    cat = {}
    for fn in ("statuses", "sprints", "projects"):
        with open(os.path.join(dm, fn + ".json")) as f:
            cat[fn] = json.load(f)
    vals = cat["sprints"].get("values", [])
    put("fuzz_catalog_body", "devlake-all.json", compact(cat))
    put("fuzz_catalog_body", "small.json", compact({"statuses": cat["statuses"][:3],
                                                    "sprints": {"values": vals[:2]},
                                                    "projects": cat["projects"][:2]}))
    put("fuzz_catalog_body", "bad-sprint.json", compact({"statuses": cat["statuses"][:1],
                                                         "sprints": [{"id": "x"}]}))
    put("fuzz_catalog_body", "empty.json", "{}")
    put("fuzz_catalog_body", "array.json", "[]")


def explain_seeds():
    good = "{STAGE} is the bottleneck with {CONFIDENCE} confidence: average time rose 62% and WIP 35%."
    replies = [{"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
                "content": [{"type": "text", "text": good}], "stop_reason": "end_turn",
                "usage": {"input_tokens": 120, "output_tokens": 30}},
               {"content": [{"type": "text", "text": "{STAGE} is "},
                            {"type": "tool_use", "id": "t", "name": "x", "input": {}},
                            {"type": "text", "text": "where work waits, score 57!"}]},
               {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
               {"content": []}, {"content": [{"type": "text", "text": "x" * 700}]}]
    for i, r in enumerate(replies):
        put("fuzz_explain", "reply-%02d" % i, compact(r))
    for i, s in enumerate([good, "  {STAGE} slowed down by 100000% in {CONFIDENCE} terms.\n",
                           "{STAGE} grew 063% this week, see {OTHER}.",
                           "Work piles up in {STAGE}. Really!", "{STAGE} `rm -rf` <b>bold</b> now."]):
        put("fuzz_explain", "sentence-%02d" % i, s)


def query_seeds():
    for i, q in enumerate(["window=30d", "window=7", "window=365d&x=1", "window=mtd&window=qtd",
                           "window=sprint-last3", "window=%33%30d", "window=%zz", "window=0d",
                           "from=2024-02-29&to=2025-02-28", "from=2023-02-29&to=2023-03-01",
                           "from=0000-01-01&to=9999-12-31", "project=FLOW", "project=%46L%4fW&",
                           "project", "=x&&window=", "from=2024-01-01%00&to=2024-01-02",
                           "window=+30d", "to=2024-13-01"]):
        put("fuzz_query", "%02d" % i, q)


def settings_seeds():
    bodies = [{"thresholds": {"time": 1.5, "wip": 2, "throughput": -0.5}},
              {"statusRoles": {"active": ["3", "10001"], "done": ["10002"], "terminal": ["6"],
                               "external": ["10003"]}},
              {"workSchedule": {"timeZone": "Europe/Berlin", "working": True,
                                "workingDays": ["mon", "tue", "wed", "thu", "fri"],
                                "hours": {"start": "09:00", "end": "17:30"},
                                "holidays": ["2025-12-25", "2025-12-26", "2026-01-01"]}},
              {"workSchedule": {"timeZone": "America/St_Johns", "working": False}},
              {"workSchedule": {"timeZone": "Asia/Kathmandu", "working": True, "workingDays": ["sun"],
                                "hours": {"start": "00:00", "end": "24:00"}, "holidays": []}},
              {"fields.storyPoints": "customfield_10016", "fields": {"sprint": "customfield_10020"}},
              {"aiExplanations": False, "notificationEmail": "lead@example.com"},
              {"wipLimits": [{"statusId": "3", "limit": 5}, {"statusId": 10001, "limit": 100000}]},
              {"excludedIssueTypes": ["Epic", "Sub-task"], "wipLimits": None},
              {"thresholds": None, "workSchedule": None, "statusRoles.active": None},
              {"statusRoles": {"active": ["3"], "done": ["3"]}},
              {"workSchedule": {"timeZone": "../../etc/passwd"}},
              {"thresholds.time": 11}, {"unknown": 1}]
    for i, b in enumerate(bodies):
        put("fuzz_settings", "%02d" % i, compact(b))


def issue21_seeds(shared):
    flow_seeds(shared)
    csv_seeds()
    tz_seeds()
    alert_seeds()
    body_seeds(shared)
    explain_seeds()
    query_seeds()
    settings_seeds()


def issue15_seeds(shared):
    """Issue #15's data: board configurations (the documented shape in
    tests/fixtures), issues with labels, resolution, parent, Flagged and
    blocking links, and Flagged/Sprint/Link changelog items."""
    with open(os.path.join(HERE, "..", "fixtures", "board-configuration.json")) as f:
        board = json.load(f)
    put("fuzz_board", "documented.json", json.dumps(board))
    put("fuzz_board", "list.json", compact({"boards": [board, dict(board, id=85, name="Other")]}))
    put("fuzz_board", "list-dup.json", compact({"boards": [board, board]}))
    put("fuzz_board", "empty-columns.json", compact({"id": 1, "columnConfig": {"columns": []}}))
    put("fuzz_board", "bad-max.json", compact({"id": 1, "columnConfig": {"columns": [{"name": "a", "max": -3}]}}))
    put("fuzz_board", "empty-list.json", compact({"boards": []}))
    blocks = {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
    fields = {"summary": "s", "status": {"id": "3", "statusCategory": {"key": "indeterminate"}},
              "created": "2024-01-01T00:00:00Z", "updated": "2024-01-05T00:00:00Z",
              "resolution": {"id": "1", "name": "Won't Do"}, "labels": ["a", "b"],
              "issuetype": {"name": "Sub-task", "subtask": True}, "parent": {"id": "10001"},
              "customfield_10021": [{"id": "10019", "value": "Impediment"}],
              "issuelinks": [{"type": blocks, "inwardIssue": {"id": "10005", "key": "P-5"}},
                             {"type": blocks, "outwardIssue": {"id": "10006", "key": "P-6"}}]}
    items = [{"field": "Flagged", "fieldId": "customfield_10021", "toString": "Impediment"},
             {"field": "Sprint", "fieldId": "customfield_10020", "from": "38", "to": "38, 40"},
             {"field": "Sprint", "fieldId": "Sprint", "fromString": "S 1", "toString": "S 2"},
             {"field": "Link", "to": "P-5", "toString": "This issue is blocked by P-5"}]
    hist = [{"id": "100", "created": "2024-01-02T00:00:00Z", "items": items}]
    issue = {"id": "10010", "key": "P-10", "fields": fields, "changelog": {"total": 1, "histories": hist}}
    put("fuzz_ingest_issue_page", "issue15.json", compact({"sprints": [{"id": 1, "name": "S 1"}, {"id": 2, "name": "S 2"}], "issues": [issue]}))
    put("fuzz_ingest_changelog", "issue15.json", compact({"values": hist}))
    put("fuzz_ingest_event", "issue15.json", compact({"webhookEvent": "jira:issue_updated", "timestamp": 1704153600000,
                                                       "issue": {"id": "10010", "key": "P-10", "fields": fields},
                                                       "changelog": {"id": "900", "items": items}}))


GROUPS = {
    "issue15": lambda a: issue15_seeds(a.shared),
    "claims": lambda a: claims_seeds(),
    "jose": lambda a: jose_seeds(a.shared, a.key),
    "ingest": lambda a: ingest_seeds(a.shared),
    "router": lambda a: router_seeds(),
    "issue21": lambda a: issue21_seeds(a.shared),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    ap.add_argument("--key")
    ap.add_argument("--only", nargs="*", choices=sorted(GROUPS),
                    help="seed groups to write (default: all)")
    a = ap.parse_args()
    for name in a.only or sorted(GROUPS):
        GROUPS[name](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
