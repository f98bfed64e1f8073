#!/usr/bin/env bash
# Benchmark of `tcdb cost` on a queue-like table: how long the measurement takes, and how well the fit of time
# against rows predicts the largest scale from the smaller ones (the "fit error" of each version).
#   bench/cost.sh [MAJOR] [SCALES]     (default: 15 2000,20000,200000)
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:-15}
scales=${2:-2000,20000,200000}
scripts/setup-postgres.sh "$major" >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/db/versions"
cat > "$dir/db/versions/0001.yml" <<'Y'
version: 1
description: a queue-like table
migrationScript: |-
  begin
    create table tasks (task_id text primary key, task_queue_id text not null, priority integer not null,
      payload jsonb not null, created timestamptz not null, deadline timestamptz not null, retries integer not null);
    grant select, insert, update, delete on tasks to $db_user_prefix$_queue;
  end
downgradeScript: |-
  begin
    revoke select, insert, update, delete on tasks from $db_user_prefix$_queue;
    drop table tasks;
  end
methods: {}
Y
cat > "$dir/db/versions/0002.yml" <<'Y'
version: 2
description: retries becomes bigint (rewrites tasks)
migrationScript: |-
  begin
    alter table tasks alter column retries type bigint;
  end
downgradeScript: |-
  begin
    alter table tasks alter column retries type integer;
  end
methods: {}
Y
cat > "$dir/db/versions/0003.yml" <<'Y'
version: 3
description: a check constraint (validated by a full scan)
migrationScript: |-
  begin
    alter table tasks add constraint tasks_deadline_check check (deadline >= created - interval '100 years');
  end
downgradeScript: |-
  begin
    alter table tasks drop constraint tasks_deadline_check;
  end
methods: {}
Y
cat > "$dir/db/versions/0004.yml" <<'Y'
version: 4
description: index by queue (blocks writes while it builds)
migrationScript: |-
  begin
    create index tasks_queue_idx on tasks (task_queue_id, priority);
  end
downgradeScript: |-
  begin
    drop index tasks_queue_idx;
  end
methods: {}
Y
printf 'queue:\n  tables:\n    tasks: write\n' > "$dir/db/access.yml"
printf 'tasks:\n  task_id: text not null\n  task_queue_id: text not null\n  priority: integer not null\n  payload: jsonb not null\n  created: timestamp with time zone not null\n  deadline: timestamp with time zone not null\n  retries: bigint not null\n' > "$dir/db/tables.yml"
start=$(date +%s.%N)
set +e
./tcdb cost --db-dir "$dir/db" --pg "$major" --scales "$scales" --rows 40000000 --budget 10s --report "$dir/cost.json"
status=$?
set -e
end=$(date +%s.%N)
python3 - "$dir/cost.json" "$start" "$end" "$status" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"\ntcdb cost took {float(sys.argv[3]) - float(sys.argv[2]):.1f} s (exit {sys.argv[4]}) for scales {report['scales']}")
for v in report['results']:
    if not v['measured']:
        continue
    largest = v['measured'][-1]['upgrade']['seconds'] * 1000
    error = v['fitError']
    print(f"v{v['version']:04} {v['description']}: upgrade {largest:.1f} ms at the largest scale, "
          f"fit error {'n/a' if error is None else f'{error * 100:+.0f}%'}, ~{v['upgradeSeconds']:.0f} s at 40 M rows")
PY
