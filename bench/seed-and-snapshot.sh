#!/usr/bin/env bash
# Benchmark: seeding rate (rows/s) of a 10-column table and catalog snapshot time of a 40-table schema.
# Usage: TEST_DB_URL=postgresql://postgres@127.0.0.1:55432/postgres bench/seed-and-snapshot.sh [rows]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dotnet build "$here/SeedBench/SeedBench.csproj" -c Release -v quiet -nologo >/dev/null
dotnet "$here/SeedBench/bin/Release/net10.0/tcdb-seed-bench.dll" "$@"
