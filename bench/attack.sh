#!/usr/bin/env bash
# Memory and latency under the attacks of issue 12, against the real server:
# BENCH_ATTACK_ANON (default 1000) anonymous connections start 4 MiB
# uploads (refused at the headers), BENCH_ATTACK_HELD (default 64)
# authenticated function calls hold 4 MiB pages one byte short (the process
# budget admits 16, the rest get 503 + Retry-After), and the held pages then
# complete as `{},{},...` value bombs (refused by the count before parsing).
# Meanwhile /healthz and another tenant's dashboard are timed
# (BENCH_ATTACK_PROBES requests each, default 400) and the server's RSS is
# sampled every 50 ms. Prints RSS (start, peak under attack, after) and
# p50/p99 of both probes, quiet and under attack. Called by scripts/bench.sh
# with a running throwaway cluster in the environment and a temp folder as
# $1; needs python3 (Debian's) for the raw sockets.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:?usage: bench/attack.sh TMPDIR}
. bench/lib.sh
KID=$BENCH_KID
APP_ID=$BENCH_APP_ID
ATTACKER="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000a77ac"
OTHER="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-000000000b0b"
db=biq_bench_attack
real=${BIQ_SHARED_DIR:-../shared}/realdata/devlake-merico

mkdir -p "$work/attack-keys"
./build/biq-dev keygen "$work/attack-keys" "$KID" >/dev/null
bench_fresh_db "$db"
bench_serve "$db" "$work/attack-keys" "$work/attack-server.log"

tok() { # TENANT [PROJECT_ID KEY]: a function's token, or a viewer's of that project
    if [ $# -eq 1 ]; then
        BIQ_DEV_MODULE="core:function on-installed" \
            ./build/biq-dev token "$work/attack-keys" "$KID" "$APP_ID" "$@"
    else
        ./build/biq-dev token "$work/attack-keys" "$KID" "$APP_ID" "$@"
    fi
}
post() { # TENANT PATH FILE|-
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $(tok "$1")" \
        -H 'Content-Type: application/json' --data-binary "@$3" "http://127.0.0.1:$port$2"
}
echo '{"eventType":"avi:forge:installed:app"}' >"$work/attack-install.json"
echo '{"total":33}' >"$work/attack-start.json"
post "$ATTACKER" /forge/register "$work/attack-install.json"
post "$OTHER" /forge/register "$work/attack-install.json"
{ printf '{"statuses":'; cat "$real/statuses.json"; printf ',"sprints":'; cat "$real/sprints.json"
  printf ',"projects":'; cat "$real/projects.json"; printf '}'; } >"$work/attack-catalog.json"
post "$OTHER" /forge/catalog "$work/attack-catalog.json"
post "$OTHER" /forge/backfill/EE "$work/attack-start.json"
post "$OTHER" /forge/backfill/EE/page "$real/issues-with-changelog.json"

BENCH_PORT=$port BENCH_METRICS_PORT=$metrics_port BENCH_PID=$server \
BENCH_FUNCTION_TOKEN=$(tok "$ATTACKER") BENCH_VIEWER_TOKEN=$(tok "$OTHER" 10000 EE) \
    python3 - "${BENCH_ATTACK_ANON:-1000}" "${BENCH_ATTACK_HELD:-64}" \
    "${BENCH_ATTACK_PROBES:-400}" <<'PY'
import http.client, os, socket, sys, threading, time

anon_n, held_n, probes = (int(a) for a in sys.argv[1:4])
port, pid = int(os.environ["BENCH_PORT"]), os.environ["BENCH_PID"]
fn_tok, viewer_tok = os.environ["BENCH_FUNCTION_TOKEN"], os.environ["BENCH_VIEWER_TOKEN"]
PAGE = 4 * 1024 * 1024 - 16
bomb = b"[" + b"{}," * ((PAGE - 3) // 3)
bomb = bomb[:-1] + b" " * (PAGE - len(bomb)) + b"]"
assert len(bomb) == PAGE

def rss(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])

peak = [0]
stop = threading.Event()
def sampler():
    while not stop.is_set():
        peak[0] = max(peak[0], rss("VmRSS:"))
        time.sleep(0.05)

def probe(path, token):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, bad = [], 0
    for _ in range(probes):
        t = time.perf_counter()
        c.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
        r = c.getresponse(); r.read()
        times.append((time.perf_counter() - t) * 1000)
        bad += r.status != 200
    c.close()
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))], bad

def probes_line(label):
    h = probe("/healthz", None)
    d = probe("/api/v1/projects/EE/dashboard", viewer_tok)
    print(f"{label:<34} | healthz p50 {h[0]:6.1f} ms p99 {h[1]:6.1f} ms ({h[2]} not 200)"
          f" | dashboard p50 {d[0]:6.1f} ms p99 {d[1]:6.1f} ms ({d[2]} not 200)")

def head(token):
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (f"POST /forge/backfill/EE/page HTTP/1.1\r\nHost: x\r\n{auth}"
            f"Content-Type: application/json\r\nContent-Length: {PAGE}\r\n\r\n").encode()

start = rss("VmRSS:")
threading.Thread(target=sampler, daemon=True).start()
probes_line("quiet")
anon, answers = [], {}
for _ in range(anon_n):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(head(None))
    try:
        s.sendall(bomb[:65536])
    except OSError:
        pass
    anon.append(s)
for s in anon:
    s.settimeout(5)
    try:
        st = s.recv(64).split(b" ")[1].decode()
    except (OSError, IndexError):
        st = "none"
    answers[st] = answers.get(st, 0) + 1
held, refused = [], 0
for _ in range(held_n):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(head(fn_tok))
    s.settimeout(0.2)
    try:
        if s.recv(64).startswith(b"HTTP/1.1 503"):
            refused += 1; s.close(); continue
    except socket.timeout:
        pass
    s.settimeout(60)
    s.sendall(bomb[:-1]); held.append(s)
time.sleep(0.3)
attack = rss("VmRSS:")
probes_line(f"under attack ({len(held)} held)")
codes = {}
for s in held:
    s.sendall(bomb[-1:])
    reply = s.recv(64).split(b" ")
    c = reply[1].decode() if len(reply) > 1 else "none"
    codes[c] = codes.get(c, 0) + 1; s.close()
for s in anon:
    s.close()
time.sleep(0.5)
stop.set()
print(f"anonymous uploads: {anon_n}, answered {answers}")
print(f"held pages: {len(held)} admitted, {refused} refused 503 at the headers;"
      f" completed as value bombs: {codes}")
print(f"server RSS: start {start // 1024} MiB, holding {attack // 1024} MiB,"
      f" peak {max(peak[0], rss('VmHWM:')) // 1024} MiB, after {rss('VmRSS:') // 1024} MiB"
      f" (bound 256 MiB)")
PY
bench_stop
