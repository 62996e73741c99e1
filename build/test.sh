#!/usr/bin/env bash
# The one test command (README "Building and testing"). On a fresh Debian/Ubuntu machine it installs what the tests
# start (redis-server and redis-sentinel from apt, Azurite and the Node queue SDK from npm, bicep from NuGet), then:
#   1. builds the whole solution against the lowest supported StackExchange.Redis (2.6.96) and runs every suite;
#   2. rebuilds against the newest served StackExchange.Redis (3.4.35) and runs every suite that talks to Redis again;
#   3. compiles, lints and checks infra/ (build/check-infra.sh);
#   4. packs every package and builds consumer apps from the README's setup against the packed .nupkg files
#      (build/check-packages.sh);
#   5. runs `ryw bench --quick` as a smoke test (it fails on a stale token-mode read, never on timings).
# The last line is "tests: N passed, N failed" over everything above.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/artifacts/test"
rm -rf "$out"
mkdir -p "$out"
source build/tools.sh

redis_min=2.6.96
redis_max=3.4.35
# Suites that never talk to Redis run once (step 1): the process harness, the Azurite suite, the CLI's unit tests.
redis_suites=(
  tests/ServerlessRyw.Tests
  tests/ServerlessRyw.Cluster.Tests
  tests/ServerlessRyw.Reliability.Tests
  tests/ServerlessRyw.AspNetCore.Tests
  tests/ServerlessRyw.Azure.Functions.Worker.Tests
)
for extra in tests/ServerlessRyw.Functions.Host.Tests tests/ServerlessRyw.Sentinel.Tests; do
  [ -d "$extra" ] && redis_suites+=("$extra")
done

ensure_test_tools || exit 1

passed=0
failed=0
status=0

# Runs one `dotnet test` and adds its counts; $1 names the run in the log file name.
run_tests() {
  local name=$1
  shift
  local log="$out/test-$name.log"
  dotnet test "$@" -c Release --no-build -nologo -m:1 --logger "console;verbosity=normal" \
    --results-directory "$out/results-$name" >"$log" 2>&1
  local code=$?
  grep -E "^\s*(Failed |Error Message|Passed!|Failed!)|Total tests|error" "$log" | head -60
  local p f
  p=$(grep -oE "Passed:\s+[0-9]+" "$log" | awk '{s+=$2} END {print s+0}')
  f=$(grep -oE "Failed:\s+[0-9]+" "$log" | awk '{s+=$2} END {print s+0}')
  if [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$code" -eq 0 ] || status=1
  echo "   $name: $p passed, $f failed (log: ${log#$root/})"
}

build() {
  local version=$1
  shift
  if ! dotnet build "$@" -c Release -nologo -v:q -clp:NoSummary -p:RywRedisVersion="$version" >"$out/build-$version.log" 2>&1; then
    grep -E "error|warning" "$out/build-$version.log" | sed 's/ \[.*//' | sort -u | head -50
    echo "Build failed (StackExchange.Redis $version); full log: ${out#$root/}/build-$version.log"
    return 1
  fi
  if grep -qE ": warning " "$out/build-$version.log"; then
    grep -E ": warning " "$out/build-$version.log" | sed 's/ \[.*//' | sort -u | head -20
    echo "The build has warnings (StackExchange.Redis $version); the solution builds with none."
    return 1
  fi
  echo "   Built with StackExchange.Redis $version, no warnings."
}

echo "== 1. Every suite, StackExchange.Redis $redis_min"
if build "$redis_min" ServerlessRyw.sln; then
  run_tests "redis-$redis_min" ServerlessRyw.sln
else
  failed=$((failed + 1)); status=1
fi

echo "== 2. Suites that talk to Redis, StackExchange.Redis $redis_max"
max_ok=1
for suite in "${redis_suites[@]}"; do
  if ! build "$redis_max" "$suite" >"$out/build-step.txt"; then
    cat "$out/build-step.txt"; max_ok=0; break
  fi
done
if [ "$max_ok" -eq 1 ]; then
  echo "   Built with StackExchange.Redis $redis_max, no warnings."
  for suite in "${redis_suites[@]}"; do
    run_tests "redis-$redis_max-$(basename "$suite")" "$suite"
  done
else
  failed=$((failed + 1)); status=1
fi

echo "== 3. infra/: bicep build, lint, build-params and the compiled template's invariants"
if [ -x build/check-infra.sh ]; then
  if build/check-infra.sh >"$out/infra.log" 2>&1; then
    tail -3 "$out/infra.log"; passed=$((passed + 1))
  else
    tail -30 "$out/infra.log"; failed=$((failed + 1)); status=1
  fi
fi

echo "== 4. Packages as users get them: dotnet pack, then the README's setup against the .nupkg files"
if build/check-packages.sh "$out/packages" >"$out/packages.log" 2>&1; then
  tail -4 "$out/packages.log"; passed=$((passed + 1))
else
  tail -40 "$out/packages.log"; failed=$((failed + 1)); status=1
fi

echo "== 5. Smoke: ryw bench --quick (fails on a stale token-mode read; timings never fail it)"
# The CLI was last built in step 1 against $redis_min (step 2 rebuilt only test projects and what they reference).
if build "$redis_min" src/ServerlessRyw.Cli >/dev/null \
  && dotnet run --project src/ServerlessRyw.Cli -c Release --no-build -- bench --quick --out "$out/bench" \
    >"$out/bench-quick.log" 2>&1; then
  tail -12 "$out/bench-quick.log"; passed=$((passed + 1))
else
  tail -30 "$out/bench-quick.log"; failed=$((failed + 1)); status=1
fi

echo "tests: $passed passed, $failed failed"
exit "$status"
