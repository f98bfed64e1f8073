#!/usr/bin/env bash
# scripts/pack.sh [VERSION] — pack the engine (Tcdb.Harness), the NUnit fixtures (Tcdb.Testing) and the tool (Tcdb.Cli) into artifacts/packages,
# a local NuGet feed (git-ignored). Another repository then installs the tool from it:
#   dotnet tool install --tool-path .tools --add-source /path/to/artifacts/packages Tcdb.Cli --version VERSION
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-0.1.0}"
feed="artifacts/packages"
mkdir -p "$feed"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet pack src/Cli -c Release -o "$feed" -p:Version="$version" -nologo -v:quiet -clp:ErrorsOnly
dotnet pack src/Harness -c Release --no-build -o "$feed" -p:Version="$version" -nologo -v:quiet -clp:ErrorsOnly
dotnet pack src/Testing -c Release -o "$feed" -p:Version="$version" -nologo -v:quiet -clp:ErrorsOnly
echo "packed Tcdb.Harness, Tcdb.Testing and Tcdb.Cli $version into $feed"
