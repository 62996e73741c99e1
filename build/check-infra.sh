#!/usr/bin/env bash
# Compiles, lints and checks infra/ (no Azure subscription needed); a template regression fails here, not in a
# deployment. Steps:
#   1. installs bicep 0.49.2 from NuGet (Azure.Bicep.CommandLine.linux-x64) into artifacts/tools/bicep, once
#   2. bicep build infra/main.bicep, bicep lint (infra/bicepconfig.json: every rule an error), and a
#      self-test that lint really fails on an outdated API version
#   3. bicep build-params for main.bicepparam (dummy image digest and passwords, below) and managed-redis.bicepparam
#   4. infra/checks/arm_invariants.py on the compiled ARM JSON, including its mutation self-test
#   5. infra/checks/redis-acl-test.sh: the nodes' start script against a local redis-server (skipped without one)
# Compiled output goes to artifacts/infra/. The last line is "infra: N checks passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/artifacts/infra"
tools="$root/artifacts/tools/bicep"
version=0.49.2
mkdir -p "$out"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }
finish() {
  echo "infra: $passed checks passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

echo "== bicep $version"
bicep=$(cat "$tools/path" 2>/dev/null || true)
if [ -z "$bicep" ] || ! [ -x "$bicep" ] || ! "$bicep" --version 2>/dev/null | grep -q "version $version "; then
  # A throwaway project outside the repository's central package management: its own empty
  # Directory.Build.props / Directory.Packages.props stop MSBuild from importing the root ones.
  mkdir -p "$tools"
  echo '<Project />' >"$tools/Directory.Build.props"
  echo '<Project />' >"$tools/Directory.Packages.props"
  cat >"$tools/bicep-tool.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$version]" />
  </ItemGroup>
</Project>
XML
  if ! dotnet restore "$tools/bicep-tool.csproj" --packages "$tools/packages" -nologo -v:q >"$out/bicep-restore.log" 2>&1; then
    fail "bicep install: dotnet restore failed (log: ${out#$root/}/bicep-restore.log)"
    finish
  fi
  bicep=$(find "$tools/packages/azure.bicep.commandline.linux-x64/$version" -type f -name bicep \( -path '*/tools/*' -o -path '*/runtimes/*' \) | head -1)
  if [ -z "$bicep" ]; then
    fail "bicep install: no bicep executable in the package"
    finish
  fi
  chmod +x "$bicep"
  echo "$bicep" >"$tools/path"
fi
pass "bicep: $("$bicep" --version)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1

echo "== bicep build + lint"
if "$bicep" build infra/main.bicep --outfile "$out/main.json" >"$out/build.log" 2>&1; then
  pass "bicep build infra/main.bicep"
else
  cat "$out/build.log"
  fail "bicep build infra/main.bicep"
  finish
fi
# Warnings other than linter rules (BCPxxx type warnings) are treated as failures too.
if "$bicep" lint infra/main.bicep >"$out/lint.log" 2>&1 && ! grep -qE "Warning|Error" "$out/lint.log"; then
  pass "bicep lint infra/main.bicep (every rule an error, no warnings)"
else
  cat "$out/lint.log"
  fail "bicep lint infra/main.bicep"
fi
# Lint self-test: an outdated API version next to the same bicepconfig.json must fail lint.
probe="$out/lint-selftest"
mkdir -p "$probe"
cp infra/bicepconfig.json "$probe/"
printf "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {\n  name: 'kv'\n}\n\noutput id string = kv.id\n" >"$probe/old.bicep"
if ! "$bicep" lint "$probe/old.bicep" >"$probe/lint.log" 2>&1 && grep -q "use-recent-api-versions" "$probe/lint.log"; then
  pass "lint self-test: an outdated API version fails lint"
else
  cat "$probe/lint.log"
  fail "lint self-test: an outdated API version did not fail lint"
fi

echo "== bicep build-params"
# CI-only dummies. The digest is all zeros on purpose: it is not a real image; users pass their own (infra/README.md).
dummy_digest=$(printf '0%.0s' $(seq 1 64))
if RYW_REDIS_IMAGE="docker.io/valkey/valkey:8.1@sha256:$dummy_digest" \
  RYW_REDIS_APP_PASSWORD=ci-dummy-app-password-not-a-secret-0123 \
  RYW_REDIS_REPLICATION_PASSWORD=ci-dummy-replication-password-not-a-secret \
  "$bicep" build-params infra/main.bicepparam --outfile "$out/main.parameters.json" >"$out/build-params.log" 2>&1; then
  pass "bicep build-params infra/main.bicepparam (dummy digest and passwords)"
else
  cat "$out/build-params.log"
  fail "bicep build-params infra/main.bicepparam"
fi
if "$bicep" build-params infra/managed-redis.bicepparam --outfile "$out/managed-redis.parameters.json" >>"$out/build-params.log" 2>&1; then
  pass "bicep build-params infra/managed-redis.bicepparam"
else
  cat "$out/build-params.log"
  fail "bicep build-params infra/managed-redis.bicepparam"
fi
for f in main.bicepparam managed-redis.bicepparam; do
  if RYW_REDIS_IMAGE=x RYW_REDIS_APP_PASSWORD=x RYW_REDIS_REPLICATION_PASSWORD=x "$bicep" lint "infra/$f" >"$out/lint-$f.log" 2>&1 \
    && ! grep -qE "Warning|Error" "$out/lint-$f.log"; then
    pass "bicep lint infra/$f"
  else
    cat "$out/lint-$f.log"
    fail "bicep lint infra/$f"
  fi
done

echo "== invariants of the compiled ARM JSON (${out#$root/}/main.json)"
if [ -f "$out/main.parameters.json" ] && [ -f "$out/managed-redis.parameters.json" ]; then
  python3 infra/checks/arm_invariants.py "$out/main.json" "$out/main.parameters.json" "$out/managed-redis.parameters.json" | tee "$out/invariants.log" | grep -v '^ARM_CHECKS'
  line=$(grep '^ARM_CHECKS' "$out/invariants.log")
  arm_passed=$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$line")
  arm_failed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + ${arm_passed:-0}))
  failed=$((failed + ${arm_failed:-1}))
else
  fail "invariants: parameter files were not built"
fi

echo "== Redis ACL, persistence and lock (infra/modules/redis-start.sh on a local redis-server)"
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  bash infra/checks/redis-acl-test.sh "$out/redis-test" >"$out/redis-test.log" 2>&1
  grep "^  FAIL" "$out/redis-test.log"
  line=$(grep '^REDIS_CHECKS' "$out/redis-test.log" || echo "REDIS_CHECKS passed=0 failed=1")
  r_passed=$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$line")
  r_failed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$line")
  if [ "$r_failed" -eq 0 ]; then
    pass "redis-start.sh: $r_passed assertions (ACL allow/deny, replication user, AOF restart, start-up lock, password rules)"
  else
    fail "redis-start.sh: $r_failed of $((r_passed + r_failed)) assertions failed (log: ${out#$root/}/redis-test.log)"
  fi
else
  echo "  skipped: redis-server/redis-cli not installed (sudo apt-get install -y redis-server)"
fi

finish
