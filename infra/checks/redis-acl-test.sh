#!/usr/bin/env bash
# Runs infra/modules/redis-start.sh (the exact entry point of the Container Apps nodes) against a local
# redis-server: a primary with AOF and a replica that authenticates as user replicator. Asserts what user app
# can and cannot do, that a killed primary comes back with its data (AOF) and the replica with it, and that the
# primary's start-up lock is held. Usage: redis-acl-test.sh WORK_DIR. Prints REDIS_CHECKS passed=N failed=M.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
start="$here/../modules/redis-start.sh"
work=$1
rm -rf "$work" && mkdir -p "$work"/{primary,replica}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

read -r pport rport < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
export REDIS_APP_PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export REDIS_REPLICATION_PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "  FAIL redis: $*"; }

start_primary() {
  REDIS_CONF_DIR="$work/primary-conf" REDIS_LOCK_FILE="$work/primary/.primary.lock" \
    sh "$start" --port "$pport" --bind 127.0.0.1 --maxmemory 64mb --maxmemory-policy noeviction --save '' \
      --repl-diskless-sync yes --repl-diskless-sync-delay 0 --appendonly yes --appendfsync everysec \
      --aof-use-rdb-preamble yes --dir "$work/primary" >>"$work/primary.log" 2>&1 &
  primary_pid=$!
  pids+=("$primary_pid")
}
start_replica() {
  REDIS_CONF_DIR="$work/replica-conf" sh "$start" --port "$rport" --bind 127.0.0.1 --maxmemory 64mb \
    --maxmemory-policy noeviction --save '' --appendonly no --dir "$work/replica" --replica-read-only yes \
    --replicaof 127.0.0.1 "$pport" >>"$work/replica.log" 2>&1 &
  pids+=("$!")
}
cli() { local port=$1; shift; redis-cli --no-auth-warning -p "$port" --user app --pass "$REDIS_APP_PASSWORD" "$@" 2>&1; }
wait_for() { for _ in $(seq 1 50); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
expect() { # expect LABEL PATTERN OUTPUT
  if grep -qE -- "$2" <<<"$3"; then ok; else bad "$1: expected /$2/, got: $(head -c 200 <<<"$3")"; fi
}
denied() { # denied PORT command...
  local out; out=$(cli "$@"); expect "app must not run: ${*:2}" "NOPERM|can't run this command|no permissions|not allowed from script" "$out"
}

start_primary
wait_for "cli $pport ping | grep -q PONG" || { bad "primary did not start: $(tail -5 "$work/primary.log")"; }
start_replica
wait_for "cli $rport info replication | grep -q master_link_status:up" || bad "replica did not sync as user replicator: $(tail -5 "$work/replica.log")"

probe="return redis.call('INFO', 'replication')"
expect "write on the primary" "^OK" "$(cli $pport set order:1 placed)"
expect "INCR" "^[0-9]+" "$(cli $pport incr stale-hops)"
expect "probe (EVAL of INFO replication) on the primary" "role:master" "$(cli $pport eval "$probe" 0)"
wait_for "cli $rport get order:1 | grep -q placed" && ok || bad "replica did not receive the write"
expect "probe on the replica" "role:slave" "$(cli $rport eval "$probe" 0)"
expect "no-writes flagged probe on the replica" "role:slave" "$(cli $rport eval "#!lua flags=no-writes
$probe" 0)"
sha=$(cli $pport script load "$probe")
expect "SCRIPT LOAD" "^[0-9a-f]{40}$" "$sha"
expect "EVALSHA on the primary" "role:master" "$(cli $pport evalsha "$sha" 0)"
expect "probe + read inside MULTI/EXEC on the replica" "role:slave" "$(printf 'MULTI\nEVAL "%s" 0\nGET order:1\nEXEC\n' "$probe" | cli $rport)"
expect "connection handshake commands" "PONG" "$(printf 'CLIENT SETNAME ryw\nCLIENT ID\nECHO x\nPING\nROLE\nINFO server\nSELECT 0\nHELLO 2\n' | cli $pport)"
expect "subscribe to the configuration channel" "subscribe" "$(timeout 1 redis-cli --no-auth-warning -p $pport --user app --pass "$REDIS_APP_PASSWORD" subscribe __Booksleeve_MasterChanged 2>&1)"
expect "GET and DEL" "^1" "$(cli $pport del order:1)"
denied $pport flushall
denied $pport config get masterauth
denied $pport config set maxmemory 1
denied $pport keys '*'
denied $pport shutdown nosave
denied $pport acl list
denied $pport replicaof no one
denied $pport publish __Booksleeve_MasterChanged x
denied $pport eval "return redis.call('FLUSHALL')" 0
denied $pport eval "return redis.call('CONFIG', 'GET', '*')" 0
expect "subscribe to another channel is denied" "NOPERM|no permissions" "$(timeout 1 redis-cli --no-auth-warning -p $pport --user app --pass "$REDIS_APP_PASSWORD" subscribe other 2>&1)"
expect "default user is off" "NOAUTH|WRONGPASS" "$(redis-cli -p $pport ping 2>&1)"
expect "user replicator cannot read data" "NOPERM|no permissions" "$(redis-cli --no-auth-warning -p $pport --user replicator --pass "$REDIS_REPLICATION_PASSWORD" get order:1 2>&1)"

# Start-up lock: a second primary on the same files must not get it while the first runs.
out=$(REDIS_CONF_DIR="$work/second-conf" REDIS_LOCK_FILE="$work/primary/.primary.lock" REDIS_LOCK_WAIT_SECONDS=1 \
  timeout 3 sh "$start" --port 0 --unixsocket "$work/second.sock" --save '' 2>&1)
expect "start-up lock is held by the running primary" "could not take" "$out"

# Durability: acknowledged write, fsync window, kill -9, restart from the AOF; the replica resyncs from it.
cli $pport set durable yes >/dev/null
sleep 1.5
kill -9 "$primary_pid"
wait "$primary_pid" 2>/dev/null
start_primary
wait_for "cli $pport get durable | grep -q yes" && ok || bad "a killed primary lost its data (AOF): $(tail -5 "$work/primary.log")"
wait_for "cli $rport get durable | grep -q yes" && ok || bad "the replica did not resync the primary's data after its restart"
expect "primary runs with AOF" "aof_enabled:1" "$(cli $pport info persistence)"
expect "maxmemory is set" "^67108864$" "$(cli $pport info memory | sed -n 's/^maxmemory:\([0-9]*\).*/\1/p')"

# Password rules of the start script.
out=$(REDIS_APP_PASSWORD='short' sh "$start" --port 0 2>&1); rc=$?
[ "$rc" -eq 64 ] && ok || bad "a short password must be refused (exit $rc: $out)"
out=$(REDIS_APP_PASSWORD="${REDIS_APP_PASSWORD}\"x" sh "$start" --port 0 2>&1); rc=$?
[ "$rc" -eq 64 ] && ok || bad "a password with a quote must be refused (exit $rc: $out)"

echo "REDIS_CHECKS passed=$passed failed=$failed"
[ "$failed" -eq 0 ]
