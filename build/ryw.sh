#!/usr/bin/env bash
# Runs the ryw tool from the repository, installing redis-server first when it is missing (see build/tools.sh).
# Usage: ./build/ryw.sh demo | bench | probe ...
set -euo pipefail
cd "$(dirname "$0")/.."
source build/tools.sh
ensure_redis
exec dotnet run --project src/ServerlessRyw.Cli -c Release -- "$@"
