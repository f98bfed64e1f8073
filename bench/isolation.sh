#!/usr/bin/env bash
# Benchmark of servers and test isolation: throwaway-cluster start vs container start (image postgres:<major>,
# when a Docker engine has it), and per test a template clone vs a Respawn reset of db/ at the latest version.
#   bench/isolation.sh [MAJOR...]   (default: 11 15)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then scripts/setup-postgres.sh "$@"; else scripts/setup-postgres.sh 11 15; fi
dotnet build bench/IsolationBench -c Release -nologo -v:quiet -clp:ErrorsOnly
dotnet bench/IsolationBench/bin/Release/net10.0/IsolationBench.dll "$@"
