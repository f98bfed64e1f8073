#!/usr/bin/env bash
# One command for a green run on a fresh machine: set up what is missing, build, then test once per
# PostgreSQL major.
#
#   ./run-tests.sh                      set up, build, test on every major in $PG_VERSIONS (default "11 15")
#   ./run-tests.sh --pg 15              only PostgreSQL 15 (repeatable)
#   ./run-tests.sh --filter EXPR        passed to `dotnet test --filter` (e.g. FullyQualifiedName~Servers)
#   ./run-tests.sh --setup-only         install the locale and PostgreSQL binaries, then stop
#   TEST_DB_URL=postgresql://...        test against your own server instead of throwaway clusters
#                                       (then only one pass runs, against that server)
#
# The last line is the total as "N passed, N failed, N skipped"; the exit code is 0 only if every run passed.
set -euo pipefail
cd "$(dirname "$0")"

majors=()
filter=""
setup_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pg) [ $# -ge 2 ] || { echo "run-tests.sh: --pg needs a major version" >&2; exit 2; }; majors+=("$2"); shift 2 ;;
    --filter) [ $# -ge 2 ] || { echo "run-tests.sh: --filter needs an expression" >&2; exit 2; }; filter="$2"; shift 2 ;;
    --setup-only) setup_only=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-tests.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#majors[@]} -gt 0 ] || read -r -a majors <<<"${PG_VERSIONS:-11 15}"
if [ -n "${TEST_DB_URL:-}" ]; then majors=("external"); fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ "${majors[0]}" != "external" ]; then
  scripts/setup-postgres.sh "${majors[@]}"
fi
[ $setup_only -eq 1 ] && exit 0

command -v dotnet >/dev/null || { echo "run-tests.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
echo "== build (Release)"
dotnet build Taskcluster.DbTests.sln -c Release -nologo -clp:ErrorsOnly -v:quiet

results="TestResults"
rm -rf "$results"
total_passed=0 total_failed=0 total_skipped=0 status=0
summaries=()
projects=(tests/harness/Harness.Tests.csproj tests/versions/Versions.Tests.csproj tests/fns/Fns.Tests.csproj)
for major in "${majors[@]}"; do
  dir="$results/pg$major"
  rc=0
  for project in "${projects[@]}"; do
    name=$(basename "$project" .csproj)
    echo "== $name against PostgreSQL $major"
    args=(test "$project" -c Release --no-build -nologo
          --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal"
          --results-directory "$dir" --blame-hang-timeout 15m)
    [ -n "$filter" ] && args+=(--filter "$filter")
    set +e
    if [ "$major" = "external" ]; then
      dotnet "${args[@]}"
    else
      PG_VERSION="$major" PG_VERSIONS="${majors[*]}" dotnet "${args[@]}"
    fi
    project_rc=$?
    set -e
    # dotnet test exits non-zero when a filter leaves an assembly without tests; that is not a failure.
    if [ $project_rc -ne 0 ] && ! grep -q 'outcome="Failed"\|outcome="Error"' "$dir/$name.trx" 2>/dev/null && grep -q 'total="0"' "$dir/$name.trx" 2>/dev/null; then
      project_rc=0
    fi
    [ $project_rc -eq 0 ] || rc=$project_rc
  done
  passed=0 failed=0 skipped=0
  for trx in "$dir"/*.trx; do
    [ -f "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
    get() { sed -E "s/.* $1=\"([0-9]+)\".*/\1/" <<<"$counters"; }
    passed=$((passed + $(get passed)))
    failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
    skipped=$((skipped + $(get notExecuted) + $(get inconclusive)))
  done
  if [ $rc -ne 0 ]; then
    status=1
    # A crashed or hung run may leave no failed test counted; never report it as clean.
    [ $failed -gt 0 ] || failed=1
  fi
  summaries+=("PostgreSQL $major: $passed passed, $failed failed, $skipped skipped")
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed)); total_skipped=$((total_skipped + skipped))
done

echo "== summary"
printf '%s\n' "${summaries[@]}"
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
exit $status
