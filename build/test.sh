#!/usr/bin/env bash
# The one test command (README "Building and testing"): builds and tests everything this machine's package
# source allows, and says plainly what it could not build and why.
#
#   Full profile  - StackExchange.Redis 2.x, Azure Functions worker 2.x, Azure.Storage.Queues: what users get.
#   Local profile - used only when the Full restore fails (a partial package source): StackExchange.Redis 1.2.6
#                   and every project not marked <RywFullProfileOnly>true</RywFullProfileOnly>.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/artifacts/test"
mkdir -p "$out"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server was not found on PATH; the tests start real Redis servers." >&2
  echo "Install it: sudo apt-get install -y redis-server   (macOS: brew install redis)" >&2
  exit 1
fi

echo "== Restoring the Full profile (what users build)"
if dotnet restore ServerlessRyw.sln -p:RywProfile=Full >"$out/restore-full.log" 2>&1; then
  profile=Full
  target=ServerlessRyw.sln
  echo "   Full profile restored: building and testing everything."
else
  profile=Local
  target="$out/ServerlessRyw.Local.slnf"
  missing=$(grep -oE "error NU1(101|102|103|603|605): [^[]*" "$out/restore-full.log" \
    | sed -E 's/ \[.*//; s/^error //' | sort -u)
  failed=$(grep -oE "Failed to restore [^ ]+\.csproj" "$out/restore-full.log" | awk '{print $4}' | sort -u)
  full_only=$(grep -l "<RywFullProfileOnly>true</RywFullProfileOnly>" $(dotnet sln ServerlessRyw.sln list | grep -E '\.csproj$') 2>/dev/null | sort)
  echo
  echo "== What could not be built here, and why"
  echo "   The Full profile does not restore from this machine's package source. NuGet said:"
  echo "$missing" | sed 's/^/     /'
  echo "   Projects that failed to restore:"
  echo "$failed" | sed "s|$root/||; s/^/     /"
  echo "   So this run uses the Local profile:"
  echo "     - skipped (they need the packages above; they build with the full public NuGet gallery):"
  for p in $full_only; do echo "         $p"; done
  echo "     - the engine and every other project are built and tested against StackExchange.Redis 1.2.6"
  echo "       (the same source; users' packages reference StackExchange.Redis 2.x)."
  echo "   Full log: ${out#$root/}/restore-full.log"
  echo
  python3 - "$target" $full_only <<'PY'
import json, subprocess, sys, os
target, skip = sys.argv[1], set(sys.argv[2:])
projects = [p.strip() for p in subprocess.run(["dotnet", "sln", "ServerlessRyw.sln", "list"], capture_output=True, text=True).stdout.splitlines()
            if p.strip().endswith(".csproj") and p.strip() not in skip]
rel = os.path.relpath(os.getcwd(), os.path.dirname(target))
json.dump({"solution": {"path": os.path.join(rel, "ServerlessRyw.sln"), "projects": projects}}, open(target, "w"), indent=2)
PY
fi

echo "== Building ($profile profile)"
if ! dotnet build "$target" -p:RywProfile=$profile -c Release -nologo -v:q -clp:NoSummary >"$out/build.log" 2>&1; then
  grep -E "error|warning" "$out/build.log" | sort -u | head -50
  echo "Build failed ($profile profile); full log: ${out#$root/}/build.log"
  exit 1
fi
echo "   Build succeeded."

echo "== Testing ($profile profile)"
dotnet test "$target" -p:RywProfile=$profile -c Release --no-build -nologo -m:1 \
  --logger "console;verbosity=normal" --results-directory "$out/results" 2>&1 | tee "$out/test.log" \
  | grep -E "^\s*(Failed|Passed!|Failed!|Error Message|  at |Skipped)|Total tests|error" 
test_status=${PIPESTATUS[0]}

echo "== Smoke: ryw bench --quick (asserts token mode reads nothing stale; timings never fail it)"
dotnet run --project src/ServerlessRyw.Cli -c Release -p:RywProfile=$profile --no-build -- bench --quick --out "$out/bench" 2>&1 | tee "$out/bench-quick.log" | tail -15
bench_status=${PIPESTATUS[0]}
if [ "$bench_status" -ne 0 ]; then
  echo "ryw bench --quick failed (exit $bench_status)"
  test_status=1
fi

passed=$(grep -oE "Passed:\s+[0-9]+" "$out/test.log" | awk '{s+=$2} END {print s+0}')
failed_count=$(grep -oE "Failed:\s+[0-9]+" "$out/test.log" | awk '{s+=$2} END {print s+0}')
if [ "$test_status" -ne 0 ] && [ "$failed_count" -eq 0 ]; then failed_count=1; fi
if [ "${bench_status:-0}" -ne 0 ]; then failed_count=$((failed_count + 1)); fi
echo "tests: $passed passed, $failed_count failed"
exit "$test_status"
