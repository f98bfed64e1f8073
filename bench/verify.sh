#!/usr/bin/env bash
# Benchmark of `tcdb verify` against its floor (one bare upgrade 0 -> latest of the same directory), on a
# synthetic 200-version chain and on db/, plus peak memory.
#   bench/verify.sh [MAJOR] [VERSIONS]     (default: 15 200)
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:-15}
versions=${2:-200}
scripts/setup-postgres.sh "$major" >/dev/null
dotnet build bench/VerifyBench -c Release -nologo -v:quiet -clp:ErrorsOnly >/dev/null

dir=$(mktemp -d)/db
trap 'rm -rf "$(dirname "$dir")"' EXIT
mkdir -p "$dir/versions"
# A chain shaped like Taskcluster's: every third version creates a table (with an index and a grant),
# the others add a column, an index, or only redefine methods; each version defines or redefines methods.
python3 - "$dir" "$versions" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
tables, access, columns = [], {}, {}
def q(text, indent=2):
    return '\n'.join(' ' * indent + line for line in text.strip('\n').split('\n'))
for v in range(1, n + 1):
    up, down, methods = [], [], []
    if v % 3 == 1 or not tables:
        t = f't{v}'
        tables.append(t)
        columns[t] = {'id': 'integer not null', 'name': 'text not null', 'data': 'jsonb not null', 'created': 'timestamp with time zone not null'}
        up += [f'create table {t} (id integer primary key, name text not null, data jsonb not null default \'{{}}\', created timestamptz not null default now());',
               f'create index {t}_name_idx on {t} (name);',
               f'grant select, insert, update, delete on {t} to $db_user_prefix$_svc;']
        down += [f'revoke select, insert, update, delete on {t} from $db_user_prefix$_svc;', f'drop table {t};']
        access[t] = 'write'
        methods.append((f'get_{t}', 'read', 'id_in integer', 'table (id integer, name text)',
                        f'begin\n  return query select {t}.id, {t}.name from {t} where {t}.id = id_in;\nend'))
        methods.append((f'add_{t}', 'write', 'id_in integer, name_in text', 'void',
                        f'begin\n  insert into {t} (id, name) values (id_in, name_in);\nend'))
    elif v % 3 == 2:
        t = tables[-1]
        c = f'c{v}'
        columns[t][c] = 'text'
        up += [f'alter table {t} add column {c} text;', f'create index {t}_{c}_idx on {t} ({c});']
        down += [f'drop index {t}_{c}_idx;', f'alter table {t} drop column {c};']
        methods.append((f'get_{t}', 'read', 'id_in integer', 'table (id integer, name text)',
                        f'begin\n  return query select {t}.id, coalesce({t}.{c}, {t}.name) from {t} where {t}.id = id_in;\nend'))
    else:
        t = tables[-1]
        methods.append((f'count_{t}_{v}', 'read', '', 'integer', f'begin\n  return (select count(*) from {t});\nend'))
    lines = [f'version: {v}', f'description: synthetic version {v}']
    if up:
        lines += ['migrationScript: |-', q('begin\n' + q('\n'.join(up)) + '\nend'), 'downgradeScript: |-', q('begin\n' + q('\n'.join(down)) + '\nend')]
    lines.append('methods:')
    for name, mode, margs, returns, body in methods:
        lines += [f'  {name}:', f'    description: {name}', f'    mode: {mode}', '    serviceName: svc', f"    args: '{margs}'", f'    returns: {returns}', '    body: |-', q(body, 6)]
    open(f'{d}/versions/{v:04}.yml', 'w').write('\n'.join(lines) + '\n')
open(f'{d}/access.yml', 'w').write('svc:\n  tables:\n' + ''.join(f'    {t}: {m}\n' for t, m in access.items()))
open(f'{d}/tables.yml', 'w').write(''.join(f'{t}:\n' + ''.join(f'  {c}: {ty}\n' for c, ty in cols.items()) for t, cols in columns.items()))
PY
dotnet bench/VerifyBench/bin/Release/net10.0/VerifyBench.dll "$major" "$dir"
dotnet bench/VerifyBench/bin/Release/net10.0/VerifyBench.dll "$major" db
