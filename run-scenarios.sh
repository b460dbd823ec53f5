#!/usr/bin/env bash
# Builds the harness once, then checks every scenario in scenarios/.
# Extra arguments go to the command, e.g. ./run-scenarios.sh scenarios/single-insert.yaml
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/ReplicationHarness.Cli -c Release -v quiet -nologo >/dev/null
harness=(dotnet "src/ReplicationHarness.Cli/bin/Release/net10.0/replication-harness.dll")

if [ "$#" -gt 0 ]; then
  exec "${harness[@]}" validate "$@"
fi
exec "${harness[@]}" validate scenarios/
