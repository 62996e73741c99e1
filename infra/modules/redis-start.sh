#!/bin/sh
# Entry point of every Redis/Valkey node on Container Apps (inlined into the template by loadTextContent in
# redis-container-apps.bicep; build/check-infra.sh runs it against a local redis-server to test the ACL).
#
# Environment (Container Apps secrets, never in the template as plain values):
#   REDIS_APP_PASSWORD          password of ACL user "app" (the Function App)
#   REDIS_REPLICATION_PASSWORD  password of ACL user "replicator" (replicas -> primary; masterauth)
# Optional:
#   REDIS_LOCK_FILE             primary only: take this flock before starting, so a restarting primary never
#                               appends to the AOF while the previous instance still does (see infra/README.md)
#   REDIS_LOCK_WAIT_SECONDS     how long to wait for it (default 60), then start anyway with a warning
#   REDIS_CONF_DIR              where the generated ACL and secrets files go (default /tmp/redis-conf)
# Arguments: the node's non-secret redis-server flags (persistence, memory, replicaof), visible in the template.
set -eu

: "${REDIS_APP_PASSWORD:?REDIS_APP_PASSWORD is not set}"
: "${REDIS_REPLICATION_PASSWORD:?REDIS_REPLICATION_PASSWORD is not set}"
for p in "$REDIS_APP_PASSWORD" "$REDIS_REPLICATION_PASSWORD"; do
  # The template enforces the same rule; this keeps a hand-edited secret from breaking the generated files.
  case "$p" in *[!A-Za-z0-9_-]*) echo "redis-start: passwords may only use A-Z a-z 0-9 _ -" >&2; exit 64 ;; esac
  [ "${#p}" -ge 32 ] || { echo "redis-start: passwords must be at least 32 characters" >&2; exit 64; }
done

# Valkey images ship valkey-server (and usually a redis-server link); Redis images ship redis-server.
if command -v valkey-server >/dev/null 2>&1; then server=valkey-server; else server=redis-server; fi
# CLIENT SETINFO exists from Redis/Valkey 7.2 on; naming it on an older server would make the ACL file invalid.
setinfo='+client|setinfo'
case "$("$server" --version)" in *" v=6."* | *" v=7.0."* | *" v=7.1."*) setinfo='' ;; esac

conf_dir=${REDIS_CONF_DIR:-/tmp/redis-conf}
umask 077
mkdir -p "$conf_dir"
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

# Only SHA-256 hashes of the passwords are written. Rationale for each command: infra/README.md ("Redis ACL").
cat >"$conf_dir/users.acl" <<ACL
user default off resetpass resetkeys resetchannels -@all
user app on #$(sha "$REDIS_APP_PASSWORD") resetkeys ~* resetchannels &__Booksleeve_MasterChanged -@all +get +set +incr +del +eval +evalsha +script|load +info +multi +exec +discard +ping +echo +hello +auth +quit +select +role +client|setname +client|id $setinfo +subscribe +unsubscribe
user replicator on #$(sha "$REDIS_REPLICATION_PASSWORD") resetkeys resetchannels -@all +psync +replconf +ping
ACL

# Replication credentials in a 0600 file rather than on the command line; harmless on the primary.
printf 'masteruser replicator\nmasterauth %s\n' "$REDIS_REPLICATION_PASSWORD" >"$conf_dir/secrets.conf"

if [ -n "${REDIS_LOCK_FILE:-}" ]; then
  exec 9>>"$REDIS_LOCK_FILE"
  if command -v flock >/dev/null 2>&1 && flock -w "${REDIS_LOCK_WAIT_SECONDS:-60}" 9; then
    echo "redis-start: holding $REDIS_LOCK_FILE"
  else
    echo "redis-start: WARNING: could not take $REDIS_LOCK_FILE; starting anyway (a previous instance may still be running)" >&2
  fi
fi

exec "$server" "$conf_dir/secrets.conf" --aclfile "$conf_dir/users.acl" --protected-mode no "$@"
