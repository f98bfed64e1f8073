#!/usr/bin/env bash
# Benchmark of throwaway clusters: cold start (initdb + start), warm start (copy of the pristine data
# directory + start) and cloning a small template database, per PostgreSQL major, median of several runs.
#   bench/servers.sh [MAJOR...]   (default: 11 15)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then scripts/setup-postgres.sh "$@"; else scripts/setup-postgres.sh 11 15; fi
dotnet build bench/ServerBench -c Release -nologo -v:quiet -clp:ErrorsOnly
dotnet bench/ServerBench/bin/Release/net10.0/ServerBench.dll "$@"
