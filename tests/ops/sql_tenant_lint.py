#!/usr/bin/env python3
"""sql_tenant_lint.py - Citus-ready by rule (issue 16 item 2).

Checks, without a database:

1. Every SQL text of src/store/*.c (C string literals, concatenated across
   lines and through the file's own #define macros, function-like ones
   included) that touches a tenant table filters on tenant_id equality:
     - every reference to a tenant table (FROM, JOIN, UPDATE, DELETE FROM,
       USING) in a query block (the statement, or a parenthesised
       subquery/CTE body) is filtered in that block by
       `alias.tenant_id = $n` (or `tenant_id = $n` when it is the block's
       only tenant table), or joined by `alias.tenant_id = other.tenant_id`
       to a reference already filtered in the same or an enclosing block
       (correlated subqueries), or to a CTE whose body is filtered;
     - the condition is a top-level conjunct of its WHERE/ON clause (an
       OR at the same level would make it no filter);
     - an INSERT into a tenant table names tenant_id in its column list and
       gives it a parameter ($n, casts allowed) in VALUES or in the
       top-level SELECT list.
   A statement may be exempted only by a comment at the site,
   `sql-tenant-lint: allow <why>` (at least five words of why) on a line of
   the literal or the line before; exemptions are counted and printed.
   The tenant tables are read from db/migrations: every CREATE TABLE or
   CREATE VIEW whose definition names a tenant_id column.

2. The keys, from db/migrations: every PRIMARY KEY, UNIQUE constraint and
   unique index of a tenant table leads with tenant_id; every FOREIGN KEY
   of a tenant table leads with tenant_id, and a column-level REFERENCES
   sits on tenant_id itself; no SERIAL/BIGSERIAL/nextval default.

3. Sequences shared between tenants: every identity column of a tenant
   table that no later migration drops must be listed in SHARED_SEQUENCES
   below with the reason it reveals nothing (ids never leave the server).

4. Self-test: planted bad statements and schemas must each be caught (the
   checker's own units); a checker that passes everything fails here.

Prints "ok - ..." / "not ok - ..." lines and "N passed, N failed"; exit 1
on any failure. Run by scripts/test.sh (run_ops).
"""
import glob
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
ALLOW = "sql-tenant-lint: allow"
ALLOW_MIN_WORDS = 5

# Identity columns of tenant tables that stay shared sequences, and why that
# reveals nothing to a tenant (see docs/scaling.md, "Ids").
SHARED_SEQUENCES = {
    ("alert_events", "event_id"):
        "never leaves the server: INSERT ... RETURNING event_id only tells the "
        "sweep that a row was inserted (src/store/alerts.c); the API's alert "
        "list shows issue, status, value and time, and uses event_id only to "
        "order ties inside one tenant's rows",
    ("settings_history", "change_id"):
        "never leaves the server: no statement reads it back (the store only "
        "appends to settings_history, src/store/settings.c); it exists to key "
        "the audit rows within a tenant",
    ("data_commits", "id"):
        "never leaves the server: the id bounds which of one project's rows "
        "a compaction folds (src/store/ingest.c); the data version the API "
        "shows is sum(weight) of the tenant's own rows, not an id",
}

SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.I)

# ---------------------------------------------------------------- C side --


def strip_comments(src):
    """Comments replaced by spaces (newlines kept) and the list of
    (line, text) comments."""
    out, comments, i, n, line = [], [], 0, len(src), 1
    while i < n:
        if src.startswith("/*", i):
            j = src.index("*/", i + 2) + 2
            comments.append((line, src[i:j]))
            chunk = src[i:j]
            out.append(re.sub(r"[^\n]", " ", chunk))
            line += chunk.count("\n")
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            comments.append((line, src[i:j]))
            out.append(" " * (j - i))
            i = j
        elif src[i] in "\"'":
            q, j = src[i], i + 1
            while src[j] != q:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            line += src.count("\n", i, j + 1)
            i = j + 1
        else:
            if src[i] == "\n":
                line += 1
            out.append(src[i])
            i += 1
    return "".join(out), comments


TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|[A-Za-z_]\w*|\d\w*|\S')


def tokenize(text, line0=1):
    toks, line, pos = [], line0, 0
    for m in TOKEN.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        toks.append((m.group(0), line))
    return toks


def parse_defines(code):
    """#define NAME body / NAME(args) body with line continuations."""
    defines = {}
    lines = code.split("\n")
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = re.match(r"\s*#\s*define\s+(\w+)(\(([^)]*)\))?(.*)", ln)
        if m:
            body = m.group(4)
            while body.rstrip().endswith("\\") and i + 1 < len(lines):
                body = body.rstrip()[:-1] + " " + lines[i + 1]
                i += 1
            params = None
            if m.group(2) is not None:
                params = [p.strip() for p in m.group(3).split(",") if p.strip()]
            defines[m.group(1)] = (params, [t for t, _ in tokenize(body)])
        i += 1
    return defines


def expand(toks, defines, depth=0):
    """Expands the file's macros in a (token, line) list."""
    if depth > 8:
        return toks
    out, i = [], 0
    while i < len(toks):
        t, line = toks[i]
        if t in defines:
            params, body = defines[t]
            if params is None:
                out.extend(expand([(b, line) for b in body], defines, depth + 1))
                i += 1
                continue
            if i + 1 < len(toks) and toks[i + 1][0] == "(":
                args, cur, level, j = [], [], 0, i + 2
                while j < len(toks):
                    a = toks[j][0]
                    if a == "(":
                        level += 1
                    elif a == ")":
                        if level == 0:
                            break
                        level -= 1
                    if a == "," and level == 0:
                        args.append(cur)
                        cur = []
                    else:
                        cur.append(a)
                    j += 1
                args.append(cur)
                sub = dict(zip(params, args))
                body_toks = []
                for b in body:
                    body_toks.extend(sub.get(b, [b]))
                out.extend(expand([(b, line) for b in body_toks], defines, depth + 1))
                i = j + 1
                continue
        out.append((t, line))
        i += 1
    return out


def c_unescape(s):
    return s.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def sql_texts(path_or_text, name=None):
    """(line_first, line_last, sql) of every run of adjacent string
    literals that reads as SQL, and the file's comments."""
    src = path_or_text if name is not None else open(path_or_text).read()
    code, comments = strip_comments(src)
    defines = parse_defines(code)
    body = "\n".join("" if re.match(r"\s*#", ln) else ln for ln in
                     _join_continuations(code).split("\n"))
    toks = expand(tokenize(body), defines)
    runs, cur = [], None
    for t, line in toks:
        if t.startswith('"'):
            if cur is None:
                cur = [line, line, ""]
            cur[1] = line
            cur[2] += c_unescape(t[1:-1])
        else:
            if cur is not None:
                runs.append(tuple(cur))
            cur = None
    if cur is not None:
        runs.append(tuple(cur))
    return [r for r in runs if SQL_START.match(r[2])], comments


def _join_continuations(code):
    """Blanks #define lines with their continuations, keeping newlines."""
    lines, out, in_define = code.split("\n"), [], False
    for ln in lines:
        if re.match(r"\s*#", ln) or in_define:
            in_define = ln.rstrip().endswith("\\")
            out.append("#")
        else:
            out.append(ln)
    return "\n".join(out)


# ---------------------------------------------------------------- SQL side --

SQL_TOKEN = re.compile(r"'(?:''|[^'])*'|\"[^\"]*\"|\$\d+|::|<=|>=|<>|!=|[A-Za-z_]\w*(?:\.\w+|\.\*)?|\d+(?:\.\d+)?|\S")
CLAUSE_END = {"WHERE", "JOIN", "LEFT", "RIGHT", "INNER", "FULL", "CROSS", "ON", "GROUP", "ORDER",
              "HAVING", "LIMIT", "UNION", "RETURNING", "SET", "FOR", "WINDOW", "OFFSET", "USING",
              "WITH", "AS", "INTERSECT", "EXCEPT"}
NOT_ALIAS = CLAUSE_END | {"NATURAL", "OUTER", "LATERAL", "SELECT", "VALUES", "DO", "DEFAULT", "SKIP",
                          "NOWAIT", "ONLY"}
CLAUSE_KEYWORDS = {"WHERE", "ON", "GROUP", "ORDER", "HAVING", "LIMIT", "SET", "RETURNING",
                   "JOIN", "FROM", "UNION", "SELECT", "USING", "VALUES", "WHEN", "THEN", "ELSE",
                   "END", "CASE"}


BLOCK_START = ("SELECT", "WITH", "VALUES", "INSERT", "UPDATE", "DELETE")
SET_OPS = ("UNION", "INTERSECT", "EXCEPT")


class Block:
    def __init__(self, parent):
        self.parent = parent
        self.toks = []       # (upper, raw, depth) at this level; children as ("<BLOCK>", block, d)
        self.refs = []       # (table, alias)
        self.filtered = set()
        self.cte_names = {}  # name -> Block (CTE bodies defined in this block)


def parse_blocks(sql):
    toks = [t for t in SQL_TOKEN.findall(sql) if not t.startswith("'")]
    root = Block(None)
    stack = [(root, 0)]  # (block, transparent depth)
    i = 0
    # Parenthesised groups starting with SELECT/WITH/VALUES are blocks; the
    # others (function calls, lists, grouping) belong to their block with a
    # deeper depth.
    kinds = []
    while i < len(toks):
        t = toks[i]
        blk, depth = stack[-1]
        if t == "(":
            nxt = toks[i + 1].upper() if i + 1 < len(toks) else ""
            if nxt in BLOCK_START:
                child = Block(blk)
                blk.toks.append(("<BLOCK>", child, depth))
                stack.append((child, 0))
                kinds.append("block")
            else:
                blk.toks.append(("(", "(", depth))
                stack[-1] = (blk, depth + 1)
                kinds.append("paren")
        elif t == ")":
            kind = kinds.pop() if kinds else "paren"
            if kind == "block":
                stack.pop()
            else:
                stack[-1] = (blk, depth - 1)
                blk.toks.append((")", ")", depth - 1))
        else:
            blk.toks.append((t.upper(), t, depth))
        i += 1
    split_set_ops(root)
    return root


def split_set_ops(b):
    """A block `A UNION B` becomes a block holding A and B as child blocks,
    each checked on its own."""
    for t in b.toks:
        if t[0] == "<BLOCK>":
            split_set_ops(t[1])
    if not any(t[0] in SET_OPS and t[2] == 0 for t in b.toks):
        return
    segs, cur = [], []
    for t in b.toks:
        if t[0] in SET_OPS and t[2] == 0:
            segs.append(cur)
            cur = []
        elif not (t[0] == "ALL" and not cur):
            cur.append(t)
    segs.append(cur)
    b.toks = []
    for seg in segs:
        child = Block(b)
        child.toks = seg
        for t in seg:
            if t[0] == "<BLOCK>":
                t[1].parent = child
        b.toks.append(("<BLOCK>", child, 0))


def all_blocks(b):
    yield b
    for t in b.toks:
        if t[0] == "<BLOCK>":
            yield from all_blocks(t[1])


def collect_refs(b, tenant_tables, problems):
    toks = b.toks
    i = 0
    insert_target = None
    while i < len(toks):
        u = toks[i][0]
        prev = toks[i - 1][0] if i > 0 else ""
        # CTE definitions: name AS (block) at this level.
        if u == "AS" and i + 1 < len(toks) and toks[i + 1][0] == "<BLOCK>" and i > 0:
            b.cte_names[toks[i - 1][1].lower()] = toks[i + 1][1]
        takes_table = (u in ("FROM", "JOIN") or (u == "UPDATE" and prev not in ("DO", "FOR"))
                       or (u == "USING" and i + 1 < len(toks) and toks[i + 1][0] not in ("(",)))
        if u == "INTO" and prev == "INSERT":
            insert_target = i + 1
        if takes_table:
            j = i + 1
            while j < len(toks):
                if toks[j][0] in ("ONLY", "LATERAL"):
                    j += 1
                    continue
                if toks[j][0] == "<BLOCK>" or toks[j][0] == "(":
                    break
                name = toks[j][1].lower()
                alias = name
                k = j + 1
                if k < len(toks) and toks[k][0] == "AS":
                    k += 1
                if (k < len(toks) and re.match(r"^[a-z_]\w*$", toks[k][1], re.I)
                        and toks[k][0] not in NOT_ALIAS):
                    alias = toks[k][1].lower()
                    k += 1
                b.refs.append((name, alias))
                # FROM a x, b y: only in a FROM list at depth 0.
                if u == "FROM" and k < len(toks) and toks[k][0] == "," and toks[k][2] == toks[i][2]:
                    j = k + 1
                    continue
                break
        i += 1
    return insert_target


def clause_of(toks, idx):
    """The tokens of the clause holding toks[idx], at the same depth."""
    depth = toks[idx][2]
    lo = idx
    while lo > 0 and not (toks[lo - 1][0] in CLAUSE_KEYWORDS and toks[lo - 1][2] <= depth):
        if toks[lo - 1][2] < depth:
            break
        lo -= 1
    hi = idx
    while hi + 1 < len(toks) and not (toks[hi + 1][0] in CLAUSE_KEYWORDS and toks[hi + 1][2] <= depth):
        if toks[hi + 1][2] < depth:
            break
        hi += 1
    return toks[lo:hi + 1], depth


def is_param(toks, k):
    return k < len(toks) and re.match(r"^\$\d+$", toks[k][1]) is not None


def tenant_conditions(b):
    """(left_alias, right) for every top-level `x.tenant_id = $n` or
    `x.tenant_id = y.tenant_id`; left_alias None when unqualified; right is
    ('param',) or ('col', alias)."""
    conds = []
    toks = b.toks
    for i, (u, raw, d) in enumerate(toks):
        if not u.endswith("TENANT_ID") or not (u == "TENANT_ID" or u.endswith(".TENANT_ID")):
            continue
        for a, bb in ((i, i + 1), (i, i - 1)):
            if bb < 0 or bb >= len(toks) or toks[bb][0] != "=":
                continue
            other = bb + 1 if bb > a else bb - 1
            if other < 0 or other >= len(toks) or toks[other][2] != d:
                continue
            clause, depth = clause_of(toks, i)
            if depth != 0 or any(t[0] == "OR" and t[2] == depth for t in clause):
                continue
            left = raw.lower().rsplit(".", 1)[0] if "." in raw else None
            o = toks[other][1]
            if is_param(toks, other):
                conds.append((left, ("param",)))
            elif o.lower() == "tenant_id" or o.lower().endswith(".tenant_id"):
                conds.append((left, ("col", o.lower().rsplit(".", 1)[0] if "." in o else None)))
    return conds


def block_filtered(b, alias):
    x = b
    while x is not None:
        if alias in x.filtered:
            return True
        x = x.parent
    return False


def cte_filtered(b, alias, tenant_tables):
    x = b
    while x is not None:
        if alias in x.cte_names:
            body = x.cte_names[alias]
            return all(not issues for issues in [check_block_tree(body, tenant_tables, [])])
        x = x.parent
    return False


def check_block_tree(root, tenant_tables, problems):
    """Fills refs and filtered sets; returns the problems of this tree."""
    blocks = list(all_blocks(root))
    for b in blocks:
        b.refs, b.filtered = [], set()
        collect_refs(b, tenant_tables, problems)
    found = []
    for b in blocks:  # parents before children: all_blocks is pre-order
        tenant_refs = [(t, a) for t, a in b.refs if t in tenant_tables]
        conds = tenant_conditions(b)
        changed = True
        while changed:
            changed = False
            for left, right in conds:
                aliases = [left] if left is not None else (
                    [tenant_refs[0][1]] if len(tenant_refs) == 1 else [])
                for al in aliases:
                    if al in b.filtered:
                        continue
                    ok = right[0] == "param"
                    if right[0] == "col" and right[1] is not None:
                        ok = (block_filtered(b, right[1])
                              or (right[1] not in [a for _, a in tenant_refs]
                                  and cte_filtered(b, right[1], tenant_tables)))
                    if ok:
                        b.filtered.add(al)
                        changed = True
                # symmetric: y.tenant_id = x.tenant_id with x filtered
                if right[0] == "col" and right[1] is not None and left is not None:
                    if right[1] not in b.filtered and block_filtered(b, left):
                        b.filtered.add(right[1])
                        changed = True
        for t, a in tenant_refs:
            if a not in b.filtered:
                found.append(f"{t} ({a}) is not filtered on tenant_id equality in its block")
    problems.extend(found)
    return found


def check_insert(sql, tenant_tables):
    m = re.search(r"\bINSERT\s+INTO\s+(\w+)(?:\s+AS\s+\w+)?\s*\(([^)]*)\)\s*(VALUES\s*\(|SELECT\b)",
                  sql, re.I | re.S)
    if not m:
        if re.search(r"\bINSERT\s+INTO\s+(\w+)", sql, re.I):
            t = re.search(r"\bINSERT\s+INTO\s+(\w+)", sql, re.I).group(1).lower()
            if t in tenant_tables:
                return [f"INSERT INTO {t} without a column list"]
        return []
    table = m.group(1).lower()
    if table not in tenant_tables:
        return []
    cols = [c.strip().lower() for c in m.group(2).split(",")]
    if "tenant_id" not in cols:
        return [f"INSERT INTO {table} does not set tenant_id"]
    pos = cols.index("tenant_id")
    rest = sql[m.end():]
    if m.group(3).upper().startswith("SELECT"):
        rest = re.sub(r"^\s*DISTINCT\s+ON\s*\([^)]*\)", "", rest, flags=re.I)
        rest = re.sub(r"^\s*DISTINCT\b", "", rest, flags=re.I)
    items, level, cur = [], 0, ""
    for ch in rest:
        if ch == "(":
            level += 1
        elif ch == ")":
            if level == 0:
                break
            level -= 1
        if ch == "," and level == 0:
            items.append(cur)
            cur = ""
            if len(items) > pos:
                break
        else:
            cur += ch
    items.append(cur)
    value = items[pos].strip() if pos < len(items) else ""
    value = re.split(r"\s+FROM\b", value, flags=re.I)[0].strip()
    if not re.match(r"^\$\d+(::\w+)?$", value):
        return [f"INSERT INTO {table} sets tenant_id to {value!r}, not a parameter"]
    return []


def check_sql(sql, tenant_tables):
    problems = []
    check_block_tree(parse_blocks(sql), tenant_tables, problems)
    problems.extend(check_insert(sql, tenant_tables))
    return problems


# ---------------------------------------------------------- migrations --

def migration_sql():
    text = ""
    for f in sorted(glob.glob(os.path.join(ROOT, "db/migrations/*.sql"))):
        text += re.sub(r"--[^\n]*", "", open(f).read()) + "\n;\n"
    return text


def statements(text):
    out, cur, level, i = [], "", 0, 0
    in_dollar = False
    while i < len(text):
        if text.startswith("$$", i):
            in_dollar = not in_dollar
            cur += "$$"
            i += 2
            continue
        ch = text[i]
        if ch == ";" and not in_dollar:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    return [s for s in out if s]


def tenant_tables_of(text):
    tables = set()
    for s in statements(text):
        m = re.match(r"CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|VIEW)\s+(\w+)", s, re.I)
        if m and re.search(r"\btenant_id\b", s):
            tables.add(m.group(2).lower())
    return tables


def split_top(body):
    items, level, cur = [], 0, ""
    for ch in body:
        if ch == "(":
            level += 1
        elif ch == ")":
            level -= 1
        if ch == "," and level == 0:
            items.append(cur.strip())
            cur = ""
        else:
            cur += ch
    items.append(cur.strip())
    return items


def first_col(cols):
    return cols.split(",")[0].strip().lower()


def check_keys(text):
    """(problems, identity columns left, tenant tables)."""
    problems, identities = [], {}
    tables = tenant_tables_of(text)
    for s in statements(text):
        m = re.match(r"CREATE\s+TABLE\s+(\w+)\s*\((.*)\)\s*$", s, re.I | re.S)
        if m and m.group(1).lower() in tables:
            t = m.group(1).lower()
            has_pk = False
            for item in split_top(m.group(2)):
                u = item.upper()
                if re.match(r"PRIMARY\s+KEY", u):
                    has_pk = True
                    c = first_col(re.search(r"\(([^)]*)\)", item).group(1))
                    if c != "tenant_id":
                        problems.append(f"{t}: primary key leads with {c}")
                elif re.match(r"(CONSTRAINT\s+\w+\s+)?UNIQUE\s*\(", u):
                    c = first_col(re.search(r"\(([^)]*)\)", item).group(1))
                    if c != "tenant_id":
                        problems.append(f"{t}: unique constraint leads with {c}")
                elif re.match(r"(CONSTRAINT\s+\w+\s+)?FOREIGN\s+KEY", u):
                    c = first_col(re.search(r"\(([^)]*)\)", item).group(1))
                    if c != "tenant_id":
                        problems.append(f"{t}: foreign key leads with {c}")
                    ref = re.search(r"REFERENCES\s+\w+\s*\(([^)]*)\)", item, re.I)
                    if ref and first_col(ref.group(1)) != "tenant_id":
                        problems.append(f"{t}: foreign key references {first_col(ref.group(1))}")
                else:
                    col = item.split()[0].lower() if item.split() else ""
                    if re.search(r"\bREFERENCES\b", u) and col != "tenant_id":
                        problems.append(f"{t}.{col}: column REFERENCES not on tenant_id")
                    if re.search(r"\bPRIMARY\s+KEY\b", u):
                        has_pk = True
                        if col != "tenant_id":
                            problems.append(f"{t}.{col}: column primary key not tenant_id")
                    if re.search(r"\bUNIQUE\b", u) and col != "tenant_id":
                        problems.append(f"{t}.{col}: column UNIQUE without tenant_id")
                    if re.search(r"\b(BIG)?SERIAL\b|\bNEXTVAL\b", u):
                        problems.append(f"{t}.{col}: serial/nextval sequence shared by tenants")
                    if re.search(r"\bGENERATED\s+(ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b", u):
                        identities[(t, col)] = True
            if not has_pk:
                problems.append(f"{t}: no primary key")
        m = re.match(r"ALTER\s+TABLE\s+(\w+)\s+ALTER\s+COLUMN\s+(\w+)\s+DROP\s+IDENTITY", s, re.I)
        if m:
            identities.pop((m.group(1).lower(), m.group(2).lower()), None)
        m = re.match(r"ALTER\s+TABLE\s+(\w+)\s+(.*)", s, re.I | re.S)
        if m and m.group(1).lower() in tables:
            t, rest = m.group(1).lower(), m.group(2)
            for kind, what in (("PRIMARY KEY", "primary key"), ("UNIQUE", "unique constraint"),
                               ("FOREIGN KEY", "foreign key")):
                for k in re.finditer(r"\bADD\s+(?:CONSTRAINT\s+\w+\s+)?" + kind.replace(" ", r"\s+")
                                     + r"\s*\(([^)]*)\)", rest, re.I):
                    if first_col(k.group(1)) != "tenant_id":
                        problems.append(f"{t}: added {what} leads with {first_col(k.group(1))}")
            if re.search(r"\b(BIG)?SERIAL\b|\bNEXTVAL\b", rest, re.I):
                problems.append(f"{t}: serial/nextval sequence shared by tenants")
            for k in re.finditer(r"ADD\s+(?:COLUMN\s+)?(\w+)[^,]*GENERATED\s+\w+(\s+BY\s+DEFAULT)?\s+AS\s+IDENTITY",
                                 rest, re.I):
                identities[(t, k.group(1).lower())] = True
        m = re.match(r"CREATE\s+UNIQUE\s+INDEX\s+(?:\w+\s+)?ON\s+(\w+)\s*(?:USING\s+\w+\s*)?\(([^)]*)\)",
                     s, re.I)
        if m and m.group(1).lower() in tables and first_col(m.group(2)) != "tenant_id":
            problems.append(f"{m.group(1).lower()}: unique index leads with {first_col(m.group(2))}")
    return problems, sorted(identities), tables


# ---------------------------------------------------------------- main --

passed = failed = 0


def report(ok, name, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}")
        for d in detail or []:
            print(f"    {d}")


def allowed(comments, first, last):
    for line, text in comments:
        if ALLOW in text and first - 1 <= line <= last:
            why = text.split(ALLOW, 1)[1].strip(" */\n")
            return why if len(why.split()) >= ALLOW_MIN_WORDS else ""
    return None


def lint_file(path, tenant_tables, label=None, text=None):
    """(problems, exemptions, statements checked)."""
    runs, comments = sql_texts(text if text is not None else path, name=label)
    probs, exempt, n = [], [], 0
    for first, last, sql in runs:
        touched = {t.lower() for t in re.findall(r"[A-Za-z_]\w*", sql)} & tenant_tables
        if not touched:
            continue
        n += 1
        found = check_sql(sql, tenant_tables)
        if not found:
            continue
        why = allowed(comments, first, last)
        where = f"{label or os.path.relpath(path, ROOT)}:{first}"
        if why:
            exempt.append(f"{where}: {why}")
        elif why == "":
            probs.append(f"{where}: allow-list comment without a reason of {ALLOW_MIN_WORDS}+ words")
        else:
            probs.extend(f"{where}: {p}" for p in found)
    return probs, exempt, n


PLANTED_BAD = {
    "no filter": 'static const char Q[] = "SELECT count(*) FROM issues WHERE project_key = $2";',
    "filter on another column": 'static const char Q[] = "SELECT 1 FROM issues i WHERE i.issue_id = $1";',
    "OR defeats the filter": 'static const char Q[] = "SELECT 1 FROM issues WHERE tenant_id = $1 OR true";',
    "unfiltered join": ('static const char Q[] = "SELECT 1 FROM issues i JOIN status_transitions t"\n'
                        '    " ON t.issue_id = i.issue_id WHERE i.tenant_id = $1";'),
    "unfiltered subquery": ('static const char Q[] = "SELECT (SELECT count(*) FROM sprints),"\n'
                            '    " name FROM projects WHERE tenant_id = $1";'),
    "unfiltered CTE": ('static const char Q[] = "WITH a AS (SELECT * FROM issues)"\n'
                       '    " SELECT * FROM a WHERE a.tenant_id = $1";'),
    "update without tenant": 'static const char Q[] = "UPDATE issues SET summary = $2 WHERE issue_id = $3";',
    "delete without tenant": 'static const char Q[] = "DELETE FROM sprints WHERE sprint_id = $2";',
    "insert without tenant_id": 'static const char Q[] = "INSERT INTO sprints (sprint_id, name) VALUES ($1, $2)";',
    "insert tenant_id from a column": ('static const char Q[] = "INSERT INTO sprints (tenant_id, sprint_id)"\n'
                                       '    " SELECT s.tenant_id, s.sprint_id FROM sprints s WHERE s.tenant_id = $1";'),
    "through a macro": ('#define COND(c) " WHERE " c " = $1"\n'
                        'static const char Q[] = "SELECT 1 FROM issues" COND("issue_id");'),
    "join condition to an unfiltered table": ('static const char Q[] = "SELECT 1 FROM issues i, sprints s"\n'
                                              '    " WHERE i.tenant_id = s.tenant_id";'),
    "unfiltered DELETE in a CTE": ('static const char Q[] = "WITH gone AS (DELETE FROM issues WHERE key = $2"\n'
                                   '    " RETURNING issue_id) SELECT count(*) FROM gone";'),
    "unfiltered UNION branch": ('static const char Q[] = "SELECT key FROM projects WHERE tenant_id = $1"\n'
                                '    " UNION SELECT project_key FROM issues";'),
    "allow-list without a reason": ('/* sql-tenant-lint: allow */\n'
                                    'static const char Q[] = "SELECT 1 FROM issues";'),
}

PLANTED_GOOD = {
    "plain filter": 'static const char Q[] = "SELECT 1 FROM issues WHERE tenant_id = $1 AND key = $2";',
    "join on a filtered table": ('static const char Q[] = "SELECT 1 FROM issues i JOIN status_transitions t"\n'
                                 '    " ON t.tenant_id = i.tenant_id AND t.issue_id = i.issue_id WHERE i.tenant_id = $1";'),
    "correlated subquery": ('static const char Q[] = "UPDATE backfills b SET pages = (SELECT count(*)"\n'
                            '    " FROM backfill_pages p WHERE p.tenant_id = b.tenant_id) WHERE b.tenant_id = $1";'),
    "UNION of filtered branches": ('static const char Q[] = "SELECT key FROM projects WHERE tenant_id = $1"\n'
                                   '    " UNION SELECT project_key FROM issues WHERE tenant_id = $1";'),
    "justified allow-list": ('/* sql-tenant-lint: allow the planted good case that tests the allow-list */\n'
                             'static const char Q[] = "SELECT 1 FROM issues";'),
}

PLANTED_BAD_SCHEMA = {
    "primary key not led by tenant_id":
        "CREATE TABLE t1 (tenant_id text, x bigint, PRIMARY KEY (x, tenant_id));",
    "foreign key not led by tenant_id":
        "CREATE TABLE t2 (tenant_id text, x bigint, PRIMARY KEY (tenant_id, x),"
        " FOREIGN KEY (x) REFERENCES issues (issue_id));",
    "column reference off tenant_id":
        "CREATE TABLE t3 (tenant_id text, x bigint REFERENCES issues (issue_id),"
        " PRIMARY KEY (tenant_id, x));",
    "bigserial id":
        "CREATE TABLE t4 (tenant_id text, x bigserial, PRIMARY KEY (tenant_id, x));",
    "unique index without tenant_id":
        "CREATE TABLE t5 (tenant_id text, x bigint, PRIMARY KEY (tenant_id, x));"
        " CREATE UNIQUE INDEX t5_x ON t5 (x);",
}


def main():
    mig = migration_sql()
    key_problems, identities, tables = check_keys(mig)
    report(len(tables) >= 10 and "issues" in tables and "tenants" in tables,
           f"tenant tables from db/migrations: {len(tables)} ({', '.join(sorted(tables))})")

    # 1. the store's SQL
    total_probs, total_exempt, total_n = [], [], 0
    for f in sorted(glob.glob(os.path.join(ROOT, "src/store/*.c"))):
        probs, exempt, n = lint_file(f, tables)
        total_probs += probs
        total_exempt += exempt
        total_n += n
    report(not total_probs and total_n > 0,
           f"src/store: {total_n} statements on tenant tables filter on tenant_id equality",
           total_probs)
    print(f"# allow-listed statements: {len(total_exempt)}")
    for e in total_exempt:
        print(f"#   {e}")

    # 2. keys
    report(not key_problems, "every primary, unique and foreign key of a tenant table leads "
           "with tenant_id; no serial", key_problems)

    # 3. sequences shared between tenants
    unexplained = [f"{t}.{c}: identity shared by every tenant, not in SHARED_SEQUENCES"
                   for t, c in identities if (t, c) not in SHARED_SEQUENCES]
    stale = [f"{t}.{c}: in SHARED_SEQUENCES but no longer an identity"
             for t, c in SHARED_SEQUENCES if (t, c) not in identities]
    report(not unexplained and not stale,
           "identity columns of tenant tables are justified ones only", unexplained + stale)
    for t, c in identities:
        if (t, c) in SHARED_SEQUENCES:
            print(f"# shared sequence {t}.{c}: {SHARED_SEQUENCES[(t, c)]}")

    # 4. the checker's own units: it must catch each planted bad case
    for name, src in PLANTED_BAD.items():
        probs, exempt, n = lint_file(None, tables, label="planted.c", text=src)
        report(n == 1 and len(probs) > 0, f"planted bad statement is caught: {name}",
               [] if probs else ["no problem reported"])
    for name, src in PLANTED_GOOD.items():
        probs, exempt, n = lint_file(None, tables, label="planted.c", text=src)
        report(n == 1 and not probs, f"planted good statement passes: {name}", probs)
    for name, src in PLANTED_BAD_SCHEMA.items():
        probs, _, _ = check_keys(src)
        report(len(probs) > 0, f"planted bad schema is caught: {name}")

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
