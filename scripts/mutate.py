#!/usr/bin/env python3
"""mutate.py - `make mutate`: a seeded mutation-testing pass over the pure C
folders (src/flow, src/auth, src/ingest, and src/settings when it exists).

Why a script of our own: no mutation tool for C is packaged in Debian 12
(`apt-cache search mutation` finds none). Mull, the well-kept one, is
published only on its own package host, which our machines cannot reach,
and is tied to one LLVM version; the mutation tools of other registries are
for other languages, or rewrite text by regular expressions without knowing
C's comments, strings and preprocessor lines. What we need is small: a C
tokenizer that skips those, five kinds of mutation, the project's own
Makefile to rebuild, and the test binaries that already exist. Python's
standard library only.

What it does, in a scratch copy of the tree (the working tree is never
written; the copy is what git tracks or would track under src/, tests/,
tools/, db/, scripts/ and the Makefile, mtimes kept, plus build/'s objects so
that little needs recompiling; a clean build when those do not link):
  1. builds the unit tests, fuzz harnesses and tests/integration/test_flow_sql
     (`make BUILD=build ...`, the project's flags);
  2. lists the mutation sites of every .c file of the folders:
       rel   relational flip: < <=, <= <, > >=, >= >, == !=, != ==
       logic && ||, || &&
       const an integer literal +1 or -1 (the sign chosen by the seed)
       guard deletion of `if (...) return|goto|break|continue ...;`
       neg   negation of an if/while condition: if (c) -> if (!(c))
     A flip between < and <= (or > and >=) in `if (a != b) return a < b ...`
     is not generated (a == b cannot happen there: always equivalent), nor
     are the mutations a marker excludes: `/* mutate: equivalent KIND "TEXT":
     why */` on the line (or in a comment of its own just above it) excludes
     the mutations of that kind (rel, logic, const, guard, neg; any when
     none is named) on that line whose description starts with TEXT (any
     when no text is given), e.g. `mutate: equivalent const "1 -> 2"`: a
     mutant shown equivalent by the comment at it (sparingly, each
     justified there);
  3. picks MUTATE_PER_FILE sites per file: those of smallest key, a hash of
     MUTATE_SEED, the file's path, the mutation and its line's text (so a
     new file, an edit elsewhere in a file or a new marker leaves the other
     picks as they were);
  4. for each mutant: writes the mutated file (line count kept, so __LINE__
     and debug lines do not move), rebuilds its object only, and
       - stillborn: it does not compile;
       - equivalent: its object without debug sections is byte-identical to
         the original's (the compiler made the same code);
       - else relinks the test binaries that link that object (found by its
         global symbols in each binary) and runs them, each under `timeout`,
         the one that killed this file's last mutant first; killed when any
         fails, survived when all pass;
  5. prints the score per folder (killed / (killed + survived)) and every
     survivor as file:line:col: mutation, and exits 0 (a report, not a gate;
     MUTATE_MIN=95 makes it exit 1 when a folder is below that percentage).

The flow SQL integration test runs only when a throwaway PostgreSQL can be
started with scripts/pg.sh; otherwise the output says it was skipped.

Environment: MUTATE_SEED (default 22), MUTATE_PER_FILE (default 5),
MUTATE_DIRS (default "src/flow src/auth src/ingest src/settings"; missing
ones are skipped; a .c file named there is taken alone, e.g.
MUTATE_DIRS="src/flow/xmr.c src/flow/runs.c"), MUTATE_TIMEOUT (seconds per
test binary, default 60), MUTATE_KEEP=1 keeps the scratch folder,
MUTATE_LIST=1 only lists the sample,
MUTATE_TESTS (a regular expression: only the test binaries whose name it
matches are built and run, e.g. "^test_flow|^test_forecast"; all by default).
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
SEED = os.environ.get('MUTATE_SEED', '22')
PER_FILE = int(os.environ.get('MUTATE_PER_FILE', '5'))
DIRS = os.environ.get('MUTATE_DIRS', 'src/flow src/auth src/ingest src/settings').split()
TIMEOUT = int(os.environ.get('MUTATE_TIMEOUT', '60'))
KEEP = os.environ.get('MUTATE_KEEP') == '1'
LIST_ONLY = os.environ.get('MUTATE_LIST') == '1'
MIN_SCORE = os.environ.get('MUTATE_MIN')
TESTS_RE = os.environ.get('MUTATE_TESTS')
BUILD = 'build'

# ------------------------------------------------------------- tokenizer

TOKEN_RE = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<number>(?:0[xX][0-9a-fA-F']+|\d[\d']*)(?:\.[\d]*)?(?:[eEpP][+-]?\d+)?[uUlLfF]*|\.\d+(?:[eE][+-]?\d+)?[fFlL]?)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<op><<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>=?:;,.(){}\[\]#])
  | (?P<other>.)
''', re.S | re.X)


def tokenize(text):
    """Tokens (kind, text, start, end) of C code, preprocessor lines dropped."""
    toks = []
    pos = 0
    at_line_start = True
    n = len(text)
    while pos < n:
        m = TOKEN_RE.match(text, pos)
        kind = m.lastgroup
        s, e = m.span()
        if kind == 'op' and m.group() == '#' and at_line_start:
            # a preprocessor line, with its continuations
            end = s
            while True:
                nl = text.find('\n', end)
                if nl < 0:
                    end = n
                    break
                if text[nl - 1] == '\\':
                    end = nl + 1
                    continue
                end = nl
                break
            pos = end
            continue
        if kind == 'ws':
            if '\n' in m.group():
                at_line_start = True
        elif kind == 'comment':
            pass
        else:
            at_line_start = False
            toks.append((kind, m.group(), s, e))
        pos = e
    return toks


REL = {'<': '<=', '<=': '<', '>': '>=', '>=': '>', '==': '!=', '!=': '=='}
LOGIC = {'&&': '||', '||': '&&'}


def match_paren(toks, i):
    """Index of the ')' closing toks[i] == '(' or -1."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j][1]
        if t == '(':
            depth += 1
        elif t == ')':
            depth -= 1
            if depth == 0:
                return j
    return -1


def int_value(lit):
    m = re.fullmatch(r"(0[xX][0-9a-fA-F']+|\d[\d']*)([uUlL]*)", lit)
    if not m:
        return None
    digits = m.group(1).replace("'", '')
    if digits.lower().startswith('0x'):
        v = int(digits, 16)
    elif len(digits) > 1 and digits.startswith('0'):
        v = int(digits, 8)
    else:
        v = int(digits)
    return v, m.group(2)


def after_inequality(toks, i):
    """True when toks[i] (< <= > >=) is in `if (L != R) return L op R ...`:
    L and R are known to differ there, so flipping op between < and <= (or
    > and >=) cannot change the result. Such mutants are not generated."""
    j = i - 1
    while j >= 0 and toks[j][1] not in ('return', ';', '{', '}'):
        j -= 1
    if j < 0 or toks[j][1] != 'return':
        return False
    k = i + 1
    while k < len(toks) and toks[k][1] not in ('?', ';', ')', '&&', '||'):
        k += 1
    left = [t[1] for t in toks[j + 1:i]]
    right = [t[1] for t in toks[i + 1:k]]
    if not left or not right or j < 1 or toks[j - 1][1] != ')':
        return False
    # the condition of the `if` just before
    depth, m = 0, j - 1
    while m >= 0:
        if toks[m][1] == ')':
            depth += 1
        elif toks[m][1] == '(':
            depth -= 1
            if depth == 0:
                break
        m -= 1
    if m < 1 or toks[m - 1][1] != 'if':
        return False
    cond = [t[1] for t in toks[m + 1:j - 1]]
    return cond in (left + ['!='] + right, right + ['!='] + left)


def site_hash(*parts):
    """A number in [0, 1) from the seed and the parts: stable across runs
    and machines (unlike Python's hash())."""
    h = hashlib.sha256('|'.join([SEED] + [str(x) for x in parts]).encode()).digest()
    return int.from_bytes(h[:8], 'big') / 2.0 ** 64


def sites_of(text, path=''):
    """Every mutation site: (start, end, replacement, kind, description)."""
    toks = tokenize(text)
    sites = []
    lines = text.split('\n')
    seen = {}
    # Depth of braces and whether we are inside a function body: constants in
    # file-scope declarations (array sizes, enums, tables) are mutated too,
    # they are code the tests should pin.
    for i, (kind, t, s, e) in enumerate(toks):
        if kind == 'op' and t in REL:
            if t in ('<', '<=', '>', '>=') and after_inequality(toks, i):
                continue
            sites.append((s, e, REL[t], 'rel', '%s -> %s' % (t, REL[t])))
        elif kind == 'op' and t in LOGIC:
            sites.append((s, e, LOGIC[t], 'logic', '%s -> %s' % (t, LOGIC[t])))
        elif kind == 'number':
            iv = int_value(t)
            if iv is None:
                continue
            v, suffix = iv
            # not inside a bit-field width or a case label's duplicate check: all kept
            ident = (path, lines[line_of(text, s) - 1].strip(), t)
            seen[ident] = seen.get(ident, 0) + 1
            delta = 1 if site_hash('sign', *ident, seen[ident]) < 0.5 else -1
            nv = v + delta
            if nv < 0:
                if 'u' in suffix.lower():
                    nv, delta = v + 1, 1
                new = '(%d%s)' % (nv, suffix) if nv < 0 else '%d%s' % (nv, suffix)
            else:
                new = '%d%s' % (nv, suffix)
            sites.append((s, e, new, 'const', '%s -> %s' % (t, new)))
        elif kind == 'ident' and t in ('if', 'while') and i + 1 < len(toks) and toks[i + 1][1] == '(':
            # `while` of a do-while is fine to negate too
            close = match_paren(toks, i + 1)
            if close < 0:
                continue
            cs, ce = toks[i + 1][2], toks[close][3]
            cond = text[cs + 1:ce - 1]
            sites.append((cs, ce, '(!(%s))' % cond, 'neg', '%s (%s) -> %s (!(...))' %
                          (t, short(cond), t)))
            if t == 'if':
                g = guard_end(toks, close + 1)
                prev = toks[i - 1][1] if i > 0 else ''
                if g is not None and prev != 'else':
                    j, ge = g
                    # no `else` right after the guard
                    if j + 1 < len(toks) and toks[j + 1][1] == 'else':
                        continue
                    seg = text[s:ge]
                    new = ';' + '\n' * seg.count('\n')
                    sites.append((s, ge, new, 'guard', 'deleted: %s' % short(seg)))
    return sites


def guard_end(toks, k):
    """If toks[k:] is `return ...;`, `goto x;`, `break;`, `continue;` (or that
    in braces), (index of the last token, end offset); else None."""
    if k >= len(toks):
        return None
    braces = toks[k][1] == '{'
    if braces:
        k += 1
    if k >= len(toks) or toks[k][1] not in ('return', 'goto', 'break', 'continue'):
        return None
    depth = 0
    for j in range(k, len(toks)):
        t = toks[j][1]
        if t in '([{':
            depth += 1
        elif t in ')]}':
            depth -= 1
            if depth < 0:
                return None
        elif t == ';' and depth == 0:
            if braces:
                if j + 1 < len(toks) and toks[j + 1][1] == '}':
                    return j + 1, toks[j + 1][3]
                return None
            return j, toks[j][3]
    return None


def short(s):
    s = ' '.join(s.split())
    return s if len(s) <= 60 else s[:57] + '...'


MARKER_RE = re.compile(r'mutate: equivalent((?:\s+(?:rel|logic|const|guard|neg)\b,?)*)'
                       r'(?:\s+"([^"]*)")?')
KINDS = ('rel', 'logic', 'const', 'guard', 'neg')


def excluded_lines(text):
    """{line: [(kinds, text)]} of the markers. `mutate: equivalent` alone
    excludes every site on its line; kinds after it (`... const`, `... rel,
    neg`) only those kinds; a quoted text after that (`... const "3 -> 4"`)
    only the mutations so described, so that a marker names exactly the
    mutant it explains. A marker in a comment of its own applies to the
    first line of code below it."""
    out = {}
    lines = text.split('\n')

    def comment_only(ln):
        return ln.strip().startswith(('/*', '//', '*'))

    for i, line in enumerate(lines):
        for m in MARKER_RE.finditer(line):
            kinds = set(re.findall(r'rel|logic|const|guard|neg', m.group(1))) or set(KINDS)
            rule = (kinds, m.group(2))
            out.setdefault(i + 1, []).append(rule)
            if comment_only(line):
                j = i + 1  # the first line of code below the comment
                while j < len(lines) and (comment_only(lines[j]) or not lines[j].strip()):
                    j += 1
                out.setdefault(j + 1, []).append(rule)
    return out


def marker_excludes(rules, kind, desc):
    return any(kind in kinds and (want is None or desc.startswith(want)) for kinds, want in rules)


def line_of(text, off):
    return text.count('\n', 0, off) + 1


def col_of(text, off):
    return off - (text.rfind('\n', 0, off) + 1) + 1


def sample(path, text):
    """Each site gets a key hashed from the seed, the file's path, the
    mutation and the text of its line (and which occurrence of that it is):
    the picks are the MUTATE_PER_FILE sites of smallest key that no marker
    excludes. So a new file, an edit elsewhere in the file, or a new marker
    leaves the other picks as they were."""
    all_sites = sites_of(text, path)
    skip = excluded_lines(text)
    lines = text.split('\n')

    def is_excluded(x):
        return any(marker_excludes(skip.get(ln, ()), x[3], x[4])
                   for ln in range(line_of(text, x[0]), line_of(text, x[1] - 1) + 1))

    keyed, seen = [], {}
    for x in all_sites:
        ident = (path, x[3], x[4], lines[line_of(text, x[0]) - 1].strip())
        seen[ident] = seen.get(ident, 0) + 1
        keyed.append((site_hash('pick', *ident, seen[ident]), x))
    keyed.sort(key=lambda kx: kx[0])
    n_ex = sum(1 for x in all_sites if is_excluded(x))
    picked = [x for _, x in keyed if not is_excluded(x)][:PER_FILE]
    picked.sort(key=lambda x: x[0])
    return picked, len(all_sites), n_ex


# -------------------------------------------------------------- building

def run(cmd, cwd, timeout=None, env=None):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout, env=env)


def copy_tree(dst):
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                           cwd=ROOT, stdout=subprocess.PIPE, check=True).stdout.split(b'\0')
    files = [f.decode() for f in files if f]
    keep = ('src/', 'tests/', 'tools/', 'db/', 'scripts/', 'Makefile')
    for f in files:
        if not f.startswith(keep):
            continue
        src = os.path.join(ROOT, f)
        if not os.path.isfile(src):
            continue  # deleted in the work tree
        d = os.path.join(dst, f)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(src, d)
    b = os.path.join(ROOT, BUILD)
    if os.path.isdir(os.path.join(b, 'obj')):
        shutil.copytree(os.path.join(b, 'obj'), os.path.join(dst, BUILD, 'obj'), symlinks=True)
        if os.path.isdir(os.path.join(b, 'gen')):
            shutil.copytree(os.path.join(b, 'gen'), os.path.join(dst, BUILD, 'gen'))


def make(scratch, targets, timeout=900):
    return run(['make', '-s', '-j2', 'BUILD=' + BUILD] + targets, scratch, timeout=timeout)


def strip_debug(obj, out):
    subprocess.run(['objcopy', '--strip-debug', obj, out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out, 'rb') as f:
        return f.read()


def global_symbols(obj):
    out = subprocess.run(['nm', '--defined-only', '-g', obj], stdout=subprocess.PIPE,
                         text=True).stdout
    return {ln.split()[-1] for ln in out.splitlines() if len(ln.split()) >= 3}


def binary_symbols(path):
    out = subprocess.run(['nm', '--defined-only', path], stdout=subprocess.PIPE, text=True).stdout
    return {ln.split()[-1] for ln in out.splitlines() if len(ln.split()) >= 3}


# ---------------------------------------------------------------- tests

class Test:
    def __init__(self, path, args, env=None):
        self.path = path      # relative to the scratch copy
        self.args = args
        self.env = env
        self.secs = 0.0

    def name(self):
        return os.path.basename(self.path)

    def run(self, scratch):
        env = dict(os.environ)
        env.update(self.env or {})
        t0 = time.time()
        try:
            p = subprocess.run(['timeout', '-k', '5', str(TIMEOUT), './' + self.path] + self.args,
                               cwd=scratch, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env)
            ok = p.returncode == 0
        finally:
            self.secs = time.time() - t0
        return ok


def start_pg(scratch):
    """A throwaway cluster for test_flow_sql, or None (and why)."""
    pgdir = tempfile.mkdtemp(prefix='biq-mutate-pg-')
    p = run(['bash', 'scripts/pg.sh', 'start', os.path.join(pgdir, 'cluster')], scratch,
            timeout=180)
    if p.returncode != 0:
        shutil.rmtree(pgdir, ignore_errors=True)
        return None, 'scripts/pg.sh start failed: ' + p.stdout.decode(errors='replace')[-300:]
    env = {'BIQ_TEST_TMP': pgdir}
    for ln in p.stdout.decode().splitlines():
        m = re.match(r"export (\w+)='(.*)'$", ln)
        if m:
            env[m.group(1)] = m.group(2)
    if 'BIQ_PG_SOCKET' not in env:
        return None, 'scripts/pg.sh printed no BIQ_PG_SOCKET'
    return (pgdir, env), None


def stop_pg(scratch, pg):
    if pg:
        run(['bash', 'scripts/pg.sh', 'stop', os.path.join(pg[0], 'cluster')], scratch, timeout=120)
        shutil.rmtree(pg[0], ignore_errors=True)


# ----------------------------------------------------------------- main

def main():
    t_start = time.time()
    dirs = [d.rstrip('/') for d in DIRS if os.path.isdir(os.path.join(ROOT, d))]
    # A .c file named in MUTATE_DIRS is taken as it is (a run restricted to some files).
    files = [d for d in DIRS if d.endswith('.c') and os.path.isfile(os.path.join(ROOT, d))]
    missing = [d for d in DIRS if d not in dirs and d not in files]
    dirs += files
    for d in dirs:
        if d in files:
            continue
        for dp, _, fns in os.walk(os.path.join(ROOT, d)):
            for fn in sorted(fns):
                if fn.endswith('.c'):
                    files.append(os.path.relpath(os.path.join(dp, fn), ROOT))
    files.sort()
    plan = []
    for f in files:
        with open(os.path.join(ROOT, f), encoding='utf-8', errors='surrogateescape') as fh:
            text = fh.read()
        picked, n_all, n_ex = sample(f, text)
        plan.append((f, text, picked, n_all, n_ex))
    total = sum(len(p[2]) for p in plan)
    print('mutate: seed %s, %d per file, %d files in %s, %d mutants%s' %
          (SEED, PER_FILE, len(files), ' '.join(dirs), total,
           ' (not found: %s)' % ' '.join(missing) if missing else ''))
    if LIST_ONLY:
        for f, text, picked, _, _ in plan:
            for s, e, new, kind, desc in picked:
                print('  %s:%d:%d: %s %s' % (f, line_of(text, s), col_of(text, s), kind, desc))
        return 0

    scratch = tempfile.mkdtemp(prefix='biq-mutate-')
    pg = None
    try:
        copy_tree(scratch)
        unit = sorted('%s/tests/unit/%s' % (BUILD, os.path.splitext(x)[0])
                      for x in os.listdir(os.path.join(scratch, 'tests/unit'))
                      if x.startswith('test_') and x.endswith('.c'))
        fuzz = sorted('%s/tests/fuzz/%s' % (BUILD, os.path.splitext(x)[0])
                      for x in os.listdir(os.path.join(scratch, 'tests/fuzz'))
                      if x.startswith('fuzz_') and x.endswith('.c'))
        sql = '%s/tests/integration/test_flow_sql' % BUILD
        have_sql = os.path.isfile(os.path.join(scratch, 'tests/integration/test_flow_sql.c'))
        t0 = time.time()
        if TESTS_RE:
            # MUTATE_TESTS: only the test binaries whose name matches (a faster,
            # narrower run: the score is then against those tests only).
            unit = [u for u in unit if re.search(TESTS_RE, os.path.basename(u))]
            fuzz = [z for z in fuzz if re.search(TESTS_RE, os.path.basename(z))]
            have_sql = have_sql and re.search(TESTS_RE, os.path.basename(sql)) is not None
        targets = unit + fuzz + ([sql] if have_sql else [])
        p = make(scratch, targets)
        if p.returncode != 0 and os.path.isdir(os.path.join(scratch, BUILD)):
            # build/ may hold objects of other flags (a SAN=1 build in it):
            # start clean once.
            shutil.rmtree(os.path.join(scratch, BUILD))
            p = make(scratch, targets)
        if p.returncode != 0:
            sys.stdout.write(p.stdout.decode(errors='replace'))
            print('mutate: the unmutated tree does not build')
            return 2
        print('mutate: baseline build %.0fs (scratch copy %s)' % (time.time() - t0, scratch))
        shared = os.environ.get('BIQ_SHARED_DIR') or os.path.realpath(os.path.join(ROOT, '..', 'shared'))
        os.environ['BIQ_SHARED_DIR'] = shared
        tests = [Test(u, []) for u in unit]
        tests += [Test(z, ['tests/fuzz/corpus/' + os.path.basename(z)]) for z in fuzz
                  if os.path.isdir(os.path.join(scratch, 'tests/fuzz/corpus', os.path.basename(z)))]
        if have_sql:
            pg, why = start_pg(scratch)
            if pg:
                tests.append(Test(sql, [], pg[1]))
                print('mutate: PostgreSQL started; test_flow_sql is in the loop')
            else:
                print('mutate: SKIPPED test_flow_sql (no PostgreSQL: %s)' % why.strip())
        # The unmutated tree must pass every test, else no score means anything.
        for t in tests:
            if not t.run(scratch):
                print('mutate: %s fails on the unmutated tree; fix that first' % t.path)
                return 2
        sym_of_bin = {t.path: binary_symbols(os.path.join(scratch, t.path)) for t in tests}
        print('mutate: baseline tests %.0fs' % sum(t.secs for t in tests))

        results = {}  # folder -> counts
        survivors = []
        n_done = 0
        for f, text, picked, n_all, n_ex in plan:
            folder = os.path.dirname(f)
            r = results.setdefault(folder, {'killed': 0, 'survived': 0, 'stillborn': 0,
                                            'equivalent': 0, 'excluded': 0})
            r['excluded'] += n_ex
            if not picked:
                continue
            obj = '%s/obj/%s.o' % (BUILD, os.path.splitext(f)[0])
            obj_abs = os.path.join(scratch, obj)
            src_abs = os.path.join(scratch, f)
            orig_obj = obj_abs + '.orig'
            shutil.copy2(obj_abs, orig_obj)
            orig_code = strip_debug(orig_obj, obj_abs + '.orig.nodebug')
            syms = global_symbols(orig_obj)
            mine = [t for t in tests if syms & sym_of_bin[t.path]]
            mine.sort(key=lambda t: t.secs)
            if not mine:
                print('mutate: no test binary links %s: its mutants can only survive' % f)
            st = os.stat(src_abs)
            last_killer = None
            for s, e, new, kind, desc in picked:
                n_done += 1
                label = '%s:%d:%d: %s %s' % (f, line_of(text, s), col_of(text, s), kind, desc)
                with open(src_abs, 'w', encoding='utf-8', errors='surrogateescape') as fh:
                    fh.write(text[:s] + new + text[e:])
                now = time.time()
                os.utime(src_abs, (now, now))
                verdict = None
                try:
                    p = make(scratch, [obj], timeout=300)
                    if p.returncode != 0:
                        verdict = 'stillborn'
                    elif strip_debug(obj_abs, obj_abs + '.nodebug') == orig_code:
                        verdict = 'equivalent'
                    else:
                        p = make(scratch, [t.path for t in mine], timeout=600)
                        if p.returncode != 0:
                            verdict = 'stillborn'  # e.g. a link error
                        else:
                            order = sorted(mine, key=lambda t: (t is not last_killer, t.secs))
                            verdict = 'survived'
                            for t in order:
                                if not t.run(scratch):
                                    verdict = 'killed'
                                    last_killer = t
                                    break
                except subprocess.TimeoutExpired:
                    verdict = 'stillborn'
                r[verdict] += 1
                if verdict == 'survived':
                    survivors.append(label)
                print('[%3d/%d] %-10s %s%s' % (n_done, total, verdict, label,
                                               ' (%s)' % last_killer.name()
                                               if verdict == 'killed' else ''), flush=True)
                # restore the source (old mtime) and the original object (new mtime)
                with open(src_abs, 'w', encoding='utf-8', errors='surrogateescape') as fh:
                    fh.write(text)
                os.utime(src_abs, (st.st_atime, st.st_mtime))
                shutil.copyfile(orig_obj, obj_abs)
                now = time.time()
                os.utime(obj_abs, (now, now))

        print()
        print('mutate: score per folder (killed / (killed + survived)); seed %s, %d per file'
              % (SEED, PER_FILE))
        below = []
        for folder in sorted(results):
            r = results[folder]
            live = r['killed'] + r['survived']
            pct = 100.0 * r['killed'] / live if live else 100.0
            if MIN_SCORE and pct < float(MIN_SCORE):
                below.append(folder)
            print('  %-12s %3d/%-3d killed  %5.1f%%   stillborn %d, equivalent %d, '
                  'sites excluded by marker %d' % (folder, r['killed'], live, pct,
                                                   r['stillborn'], r['equivalent'], r['excluded']))
        if not any(t.path == sql for t in tests) and have_sql:
            print('  (test_flow_sql was SKIPPED: no PostgreSQL)')
        print('mutate: survivors (%d)' % len(survivors))
        for s in survivors:
            print('  ' + s)
        print('mutate: %d mutants in %.0fs' % (total, time.time() - t_start))
        return 1 if below else 0
    finally:
        stop_pg(scratch, pg)
        if KEEP:
            print('mutate: scratch copy kept in ' + scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
