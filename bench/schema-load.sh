#!/usr/bin/env bash
# Benchmark: load a synthetic 200-version db directory (plus policy checks and JSON round trip).
# Usage: bench/schema-load.sh [VERSIONS] [ROUNDS]
# Generates the directory under a temp dir (about the size of Taskcluster's 128-version db/ scaled up:
# 6 methods per version, scripts every other version, one external .sql file every 10 versions),
# then times it in process (bench/schema-load.cs) and end to end with `tcdb check`.
set -euo pipefail
versions=${1:-200}
rounds=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)/db
trap 'rm -rf "$(dirname "$dir")"' EXIT
mkdir -p "$dir/versions"

python3 - "$dir" "$versions" <<'PY'
import sys, os
d, n = sys.argv[1], int(sys.argv[2])
services = ['queue', 'auth', 'hooks']
with open(f'{d}/access.yml', 'w') as f:
    for s in services:
        f.write(f'{s}:\n  tables:\n' + ''.join(f'    t{v}: write\n' for v in range(1, n + 1) if v % 3 == services.index(s)))
with open(f'{d}/tables.yml', 'w') as f:
    for v in range(1, n + 1):
        f.write(f't{v}:\n  id: text not null\n  created: timestamp with time zone not null\n  data: jsonb not null\n')
for v in range(1, n + 1):
    svc = services[v % 3]
    lines = [f'version: {v}', f'description: synthetic version {v}']
    if v % 2 == 1:
        if v % 10 == 1:
            open(f'{d}/versions/{v:04}-migration.sql', 'w').write(f'begin\n  create table t{v} (id text not null, created timestamptz not null, data jsonb not null);\nend\n')
            lines += [f'migrationScript: {v:04}-migration.sql']
        else:
            lines += ['migrationScript: |-', '  begin', f'    create table t{v} (id text not null, created timestamptz not null, data jsonb not null);',
                      f'    grant select, insert, update, delete on t{v} to $db_user_prefix$_{svc};', '  end']
        lines += ['downgradeScript: |-', '  begin', f'    drop table if exists t{v};', '  end']
    lines.append('methods:')
    for m in range(6):
        name = f'fn_{v}_{m}' if m < 4 else f'shared_{m}_{v % 20}'
        mode = 'read' if m % 2 == 0 else 'write'
        stmt = (f'return query select t.id, t.created from t{v} as t where t.id = id_in;' if mode == 'read'
                else f'insert into t{v} (id, created, data) values (id_in, now(), data_in) on conflict (id) do update set data = data_in;')
        returns = 'table (id text, created timestamptz)' if mode == 'read' else 'void'
        args = 'id_in text' if mode == 'read' else 'id_in text, data_in jsonb'
        if name.startswith('shared'):
            returns = 'table (id text, created timestamptz)' if mode == 'read' else 'void'
        lines += [f'  {name}:', f'    description: Synthetic method {name} of version {v}.', f'    mode: {mode}',
                  f'    serviceName: {svc if not name.startswith("shared") else "queue"}', f'    args: {args}', f'    returns: {returns}',
                  '    body: |-', '      begin', f'        {stmt}', '      end']
    open(f'{d}/versions/{v:04}.yml', 'w').write('\n'.join(lines) + '\n')
PY
echo "generated $versions versions in $dir ($(du -sh "$dir" | cut -f1), $(cat "$dir"/versions/*.yml | wc -l) YAML lines)"

cd "$here/.."
echo "== in process (bench/schema-load.cs)"
dotnet run -c Release bench/schema-load.cs -- "$dir" "$rounds"

echo "== end to end: tcdb check (process start included)"
dotnet build -c Release src/Cli -v q -nologo >/dev/null
for i in 1 2 3; do
  start=$(date +%s%N)
  dotnet src/Cli/bin/Release/net10.0/tcdb.dll check --db-dir "$dir" | tail -1
  echo "  wall: $(( ($(date +%s%N) - start) / 1000000 )) ms"
done
