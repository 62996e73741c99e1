#!/usr/bin/env bash
# Runs the ryw tool from the repository, in the Full profile when this machine's package source can restore it and
# in the Local profile otherwise (see README "Building and testing"). Usage: ./build/ryw.sh demo | bench | probe ...
set -euo pipefail
cd "$(dirname "$0")/.."
profile=Full
if ! dotnet restore src/ServerlessRyw.Cli -p:RywProfile=Full >/dev/null 2>&1; then
  profile=Local
  echo "(package source lacks the Full profile's packages: running against StackExchange.Redis 1.2.6)" >&2
fi
exec dotnet run --project src/ServerlessRyw.Cli -c Release -p:RywProfile=$profile -- "$@"
