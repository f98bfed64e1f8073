#!/usr/bin/env bash
# One command for a green run on a fresh machine: set up what is missing, build, then test once per
# PostgreSQL major.
#
#   ./run-tests.sh                      set up, build, test on every major in $PG_VERSIONS (default "11 15")
#   ./run-tests.sh --pg 15              only PostgreSQL 15 (repeatable)
#   ./run-tests.sh --filter EXPR        passed to `dotnet test --filter` (e.g. FullyQualifiedName~Servers)
#   ./run-tests.sh --setup-only         install the locale and PostgreSQL binaries, then stop
#   ./run-tests.sh --docker             also a container pass: starts a Docker engine (installing docker.io
#                                       when missing), builds the local image postgres:15 when absent, runs
#                                       the server and function tests and `tcdb verify` of db/ against
#                                       containers, then removes the image and stops the engine if it made them
#   TEST_DB_URL=postgresql://...        test against your own server instead of throwaway clusters
#                                       (then only one pass runs, against that server)
#
# The last line is the total as "N passed, N failed, N skipped"; the exit code is 0 only if every run passed.
set -euo pipefail
cd "$(dirname "$0")"

majors=()
filter=""
setup_only=0
docker=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pg) [ $# -ge 2 ] || { echo "run-tests.sh: --pg needs a major version" >&2; exit 2; }; majors+=("$2"); shift 2 ;;
    --filter) [ $# -ge 2 ] || { echo "run-tests.sh: --filter needs an expression" >&2; exit 2; }; filter="$2"; shift 2 ;;
    --setup-only) setup_only=1; shift ;;
    --docker) docker=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
echo "== build (Release): analyzers and code style are errors"
dotnet build Taskcluster.DbTests.sln -c Release -nologo -clp:ErrorsOnly -v:quiet
echo "== format (dotnet format whitespace --verify-no-changes)"
dotnet format whitespace Taskcluster.DbTests.sln --verify-no-changes -v:q || {
  echo "run-tests.sh: layout differs from .editorconfig; run 'dotnet format whitespace Taskcluster.DbTests.sln' and commit" >&2
  exit 1
}

results="TestResults"
rm -rf "$results"

# Runs one test project into a results folder; sets rc when it failed.
run_project() {
  local project=$1 dir=$2 filter=$3 name project_rc
  name=$(basename "$project" .csproj)
  local args=(test "$project" -c Release --no-build -nologo
              --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal"
              --results-directory "$dir" --blame-hang-timeout 15m)
  [ -n "$filter" ] && args+=(--filter "$filter")
  set +e
  dotnet "${args[@]}"
  project_rc=$?
  set -e
  # dotnet test exits non-zero when a filter leaves an assembly without tests; that is not a failure.
  if [ $project_rc -ne 0 ] && ! grep -q 'outcome="Failed"\|outcome="Error"' "$dir/$name.trx" 2>/dev/null && grep -q 'total="0"' "$dir/$name.trx" 2>/dev/null; then
    project_rc=0
  fi
  [ $project_rc -eq 0 ] || rc=$project_rc
}

# Sums the counters of every .trx in a results folder into passed, failed, skipped.
count_results() {
  passed=0 failed=0 skipped=0
  local trx counters
  for trx in "$1"/*.trx; do
    [ -f "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
    get() { sed -E "s/.* $1=\"([0-9]+)\".*/\1/" <<<"$counters"; }
    passed=$((passed + $(get passed)))
    failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
    # Ignored tests are counted in total but in no outcome counter.
    skipped=$((skipped + $(get total) - $(get executed) + $(get inconclusive)))
  done
}
total_passed=0 total_failed=0 total_skipped=0 status=0
summaries=()
projects=(tests/harness/Harness.Tests.csproj tests/versions/Versions.Tests.csproj tests/fns/Fns.Tests.csproj)
for major in "${majors[@]}"; do
  dir="$results/pg$major"
  rc=0
  for project in "${projects[@]}"; do
    echo "== $(basename "$project" .csproj) against PostgreSQL $major"
    if [ "$major" = "external" ]; then
      run_project "$project" "$dir" "$filter"
    else
      PG_VERSION="$major" PG_VERSIONS="${majors[*]}" run_project "$project" "$dir" "$filter"
    fi
  done
  count_results "$dir"
  if [ $rc -ne 0 ]; then
    status=1
    # A crashed or hung run may leave no failed test counted; never report it as clean.
    [ $failed -gt 0 ] || failed=1
  fi
  summaries+=("PostgreSQL $major: $passed passed, $failed failed, $skipped skipped")
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed)); total_skipped=$((total_skipped + skipped))
done

if [ $docker -eq 1 ]; then
  # The container pass. Its image comes from Debian packages (no public registry is assumed); the engine runs
  # with the machine's network settings untouched. When the engine or the image cannot be had, the container
  # tests report as skipped with the reason, and nothing else runs against a container.
  image="postgres:15"
  dir="$results/docker"
  mkdir -p "$dir"
  rc=0
  skip_reason=""
  built_image=0
  stop_engine() {
    if [ $built_image -eq 1 ]; then docker rmi "$image" >/dev/null 2>&1 || true; fi
    scripts/docker-engine.sh stop || true
  }
  trap stop_engine EXIT
  echo "== container pass (Docker, image $image)"
  if ! scripts/docker-engine.sh start; then
    skip_reason="no Docker engine could be started (see the lines above)"
  elif ! docker image inspect "$image" >/dev/null 2>&1; then
    if ! command -v debootstrap >/dev/null && [ "$(id -u)" -eq 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null || true
    fi
    if scripts/build-postgres-image.sh "$image"; then built_image=1; else skip_reason="the local image $image could not be built (see the lines above)"; fi
  fi
  if [ -n "$skip_reason" ]; then
    echo "== container tests skipped: $skip_reason"
    TEST_DB_URL="" PG_VERSION=15 run_project tests/harness/Harness.Tests.csproj "$dir" "FullyQualifiedName~ContainerServerTests"
    skipped_verify=1
  else
    export TCDB_SERVER="docker:$image" TCDB_DOCKER_TESTS=require
    echo "== Harness.Tests (servers, fixtures) against containers"
    TEST_DB_URL="" PG_VERSION=15 run_project tests/harness/Harness.Tests.csproj "$dir" "(FullyQualifiedName~Tcdb.Harness.Tests.Servers&FullyQualifiedName!~ThrowawayCluster)|FullyQualifiedName~Tcdb.Harness.Tests.Testing"
    echo "== Fns.Tests against a container"
    TEST_DB_URL="" PG_VERSION=15 run_project tests/fns/Fns.Tests.csproj "$dir" "$filter"
    echo "== tcdb verify db against a container"
    set +e
    dotnet src/Cli/bin/Release/net10.0/tcdb.dll verify --server "docker:$image" --db-dir db --report "$dir/verify.xml" >"$dir/verify.log" 2>&1
    verify_rc=$?
    set -e
    tail -n 1 "$dir/verify.log"
    [ $verify_rc -eq 0 ] || { rc=$verify_rc; cat "$dir/verify.log" | tail -n 20; }
    unset TCDB_SERVER TCDB_DOCKER_TESTS
    skipped_verify=0
  fi
  stop_engine
  trap - EXIT
  count_results "$dir"
  if [ $skipped_verify -eq 1 ]; then skipped=$((skipped + 1)); elif [ ${verify_rc:-1} -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  if [ $rc -ne 0 ]; then status=1; [ $failed -gt 0 ] || failed=1; fi
  summaries+=("Docker ($image): $passed passed, $failed failed, $skipped skipped${skip_reason:+ ($skip_reason)}")
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed)); total_skipped=$((total_skipped + skipped))
fi

echo "== summary"
printf '%s\n' "${summaries[@]}"
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
exit $status
