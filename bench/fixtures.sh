#!/usr/bin/env bash
# Per-test cost of the NUnit fixtures: FunctionTest-based tests (tests/fns), VersionTest-based tests
# (tests/versions), and a minimal FunctionTest (bench/FixtureBench: 40 cases that do nothing and 40 that make
# one trivial call, so the fixture's own cost -- clone, connect, service logins, cleanup -- shows apart from
# the functions' work). Each project runs once with `dotnet test --logger trx` on a throwaway cluster; from
# the trx: tests, sum of test durations, median, p90 and max per test, the first test apart (it also pays
# the run's one-time setup: server start, template), and the wall time of the project run.
#   bench/fixtures.sh [MAJOR] [--only fns|versions|minimal]...     (default: 15, all three)
set -euo pipefail
cd "$(dirname "$0")/.."
major=15 only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only+=("$2"); shift 2 ;;
    *) major=$1; shift ;;
  esac
done
[ ${#only[@]} -gt 0 ] || only=(fns versions minimal)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PG_VERSION=$major
scripts/setup-postgres.sh "$major" >/dev/null
dotnet build Taskcluster.DbTests.sln -c Release -nologo -v:quiet -clp:ErrorsOnly >/dev/null
dotnet build bench/FixtureBench -c Release -nologo -v:quiet -clp:ErrorsOnly >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "load before: $(uptime | sed 's/.*load average/load average/'); commit $(git rev-parse --short HEAD); PostgreSQL $major"
rows=()
for name in "${only[@]}"; do
  case "$name" in
    fns) project=tests/fns/Fns.Tests.csproj ;;
    versions) project=tests/versions/Versions.Tests.csproj ;;
    minimal) project=bench/FixtureBench/FixtureBench.csproj ;;
    *) echo "fixtures.sh: unknown project '$name' (fns, versions, minimal)" >&2; exit 2 ;;
  esac
  start=$(date +%s.%N)
  set +e
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$work" >"$work/$name.log" 2>&1
  rc=$?
  set -e
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  [ $rc -eq 0 ] || { echo "fixtures.sh: $project failed (exit $rc):" >&2; tail -n 20 "$work/$name.log" >&2; }
  rows+=("$(python3 - "$work/$name.trx" "$name" "$wall" <<'PY'
import re, statistics, sys
import xml.etree.ElementTree as ET
path, name, wall = sys.argv[1], sys.argv[2], float(sys.argv[3])
ns = {'t': 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'}
def seconds(d):
    h, m, s = d.split(':')
    return int(h) * 3600 + int(m) * 60 + float(s)
classes = {t.get('id'): t.find('t:TestMethod', ns).get('className', '') for t in ET.parse(path).getroot().iterfind('.//t:UnitTest', ns)}
results = [(r.get('startTime'), seconds(r.get('duration', '0:0:0')), r.get('testName'), r.get('outcome'), classes.get(r.get('testId'), ''))
           for r in ET.parse(path).getroot().iterfind('.//t:UnitTestResult', ns)]
results.sort()
first = results[0]
rest = results[1:]
groups = {'all': [r[1] for r in rest]}
if name == 'minimal':
    groups = {'nothing': [r[1] for r in rest if r[2].startswith('Nothing')],
              'one call': [r[1] for r in rest if r[2].startswith('OneTrivialCall')]}
elif name == 'versions':
    shape = re.compile(r'\.V\d{4}Test$')
    groups = {'all': [r[1] for r in rest],
              'VersionTest shapes': [r[1] for r in rest if shape.search(r[4])],
              'other': [r[1] for r in rest if not shape.search(r[4])]}
failed = sum(1 for r in results if r[3] != 'Passed')
cells = []
for label, ds in groups.items():
    ds.sort()
    p90 = ds[min(len(ds) - 1, int(round(0.9 * (len(ds) - 1))))]
    cells.append(f'| {name}{"" if label == "all" else " (" + label + ")"} | {len(ds)} | {sum(ds):.1f} | '
                 f'{1000 * statistics.median(ds):.0f} | {1000 * p90:.0f} | {1000 * max(ds):.0f} | {first[1]:.1f} | {wall:.1f} | {failed} |')
print('\n'.join(cells))
PY
)")
done
echo "load after: $(uptime | sed 's/.*load average/load average/')"
echo
echo "| tests | count (without the first) | sum of their durations (s) | median (ms) | p90 (ms) | max (ms) | first test (s) | wall (s) | failed |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
