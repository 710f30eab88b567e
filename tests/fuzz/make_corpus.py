#!/usr/bin/env python3
"""make_corpus.py - (re)builds the seed corpora in tests/fuzz/corpus/<harness>/.

Seeds come from ../shared/realdata (Jira captures) and ../shared/vectors
(Wycheproof JOSE vectors), trimmed so the whole corpus stays a few MB, plus
hand-written edge cases. Inputs that libFuzzer later found interesting or
crashing are added next to these by hand (crash-*, cov-*) and are never
removed by this script (it only writes seed-* files).

Usage: tests/fuzz/make_corpus.py [--shared DIR] [--key PEM]
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    ap.add_argument("--key")
    a = ap.parse_args()
    claims_seeds()
    jose_seeds(a.shared, a.key)
    ingest_seeds(a.shared)
    router_seeds()
    return 0


if __name__ == "__main__":
    sys.exit(main())
