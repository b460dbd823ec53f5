#!/usr/bin/env bash
# Builds the harness once, then runs every scenario in scenarios/ on fresh primary/standby pairs.
# Extra arguments go to `replication-harness run`, e.g.
#   ./run-scenarios.sh --report-dir out --keep-failures
# Exit codes: 0 all passed, 1 a scenario failed, 2 invalid input, 3 infrastructure error, 130 interrupted.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! build_log=$(dotnet build src/ReplicationHarness.Cli -c Release -nologo -v quiet 2>&1); then
  echo "$build_log" >&2
  echo "error: the build failed (see above)" >&2
  exit 3
fi
exec dotnet "src/ReplicationHarness.Cli/bin/Release/net10.0/replication-harness.dll" run scenarios/ "$@"
