#!/usr/bin/env bash
# A throw-away OpenLDAP server for the LDAP tests (Debian's `slapd` and `ldap-utils`).
#
#   slapd.sh start <dir> <port> [seed.ldif]   start it, seed it, wait until it answers
#   slapd.sh stop <dir>                       stop it
#
# Everything lives in <dir>: slapd.conf, the mdb database, slapd.pid and slapd.log (the
# server's own log, read it when a test fails). It listens on ldap://127.0.0.1:<port>/ only, so
# it never meets a system slapd (which apt may have started on port 389 and the ldapi socket).
#
# The directory: suffix dc=example,dc=edu,dc=cn; rootdn cn=admin,dc=example,dc=edu,dc=cn with
# password admin-secret; the memberof overlay, so a person's memberOf lists the groupOfNames
# entries naming them as member (the seed is loaded with ldapadd, after the server is up, for
# the overlay to see it). Access: any entry's password may be used to bind; the service account
# and every bound user may read everything else; anonymous users read nothing.
#
# The seed defaults to seed.ldif beside this script. Set SLAPD_PARENT_PID to a process id and
# the server stops by itself when that process ends (a test killed before its clean-up).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
suffix="dc=example,dc=edu,dc=cn"
rootdn="cn=admin,$suffix"
rootpw="admin-secret"
service="cn=zeren,ou=services,$suffix"
# ldap-utils read no ldap.conf or ~/.ldaprc: the machine's settings must not matter.
export LDAPNOINIT=1

usage() {
  echo "usage: $0 start <dir> <port> [seed.ldif] | $0 stop <dir>" >&2
  exit 2
}

find_tool() {
  local name="$1" p
  for p in "$(command -v "$name" 2>/dev/null || true)" "/usr/sbin/$name" "/usr/bin/$name"; do
    if [ -n "$p" ] && [ -x "$p" ]; then
      echo "$p"
      return 0
    fi
  done
  echo "$name is not installed (apt-get install slapd ldap-utils)" >&2
  return 1
}

# Whether a process runs. A stopped slapd is reparented to PID 1 and stays a zombie until that
# reaps it (some container inits never do): a zombie counts as stopped.
alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)"
  [ "$state" != "Z" ] && [ "$state" != "X" ]
}

running_pid() {
  local pidfile="$1/slapd.pid" pid
  [ -s "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  echo "$pid"
}

start() {
  [ "$#" -ge 2 ] || usage
  local dir="$1" port="$2" seed="${3:-$here/seed.ldif}"
  [[ "$port" =~ ^[0-9]+$ ]] || usage
  [ -r "$seed" ] || { echo "no seed file at $seed" >&2; exit 1; }
  local slapd ldapsearch ldapadd
  slapd="$(find_tool slapd)"
  ldapsearch="$(find_tool ldapsearch)"
  ldapadd="$(find_tool ldapadd)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if running_pid "$dir" >/dev/null; then
    echo "a slapd already runs from $dir" >&2
    exit 1
  fi
  rm -rf "$dir/data" "$dir/slapd.pid" "$dir/slapd.args"
  mkdir -p "$dir/data"

  local schema="${SLAPD_SCHEMA_DIR:-/etc/ldap/schema}"
  local modules="${SLAPD_MODULE_DIR:-/usr/lib/ldap}"
  {
    echo "include $schema/core.schema"
    echo "include $schema/cosine.schema"
    echo "include $schema/inetorgperson.schema"
    echo "pidfile $dir/slapd.pid"
    echo "argsfile $dir/slapd.args"
    # Debian builds the backend and the overlay as modules; other builds may have them inside.
    if [ -e "$modules/back_mdb.so" ] || [ -e "$modules/memberof.so" ]; then
      echo "modulepath $modules"
      [ -e "$modules/back_mdb.so" ] && echo "moduleload back_mdb"
      [ -e "$modules/memberof.so" ] && echo "moduleload memberof"
    fi
    cat <<CONF

database mdb
maxsize 33554432
suffix "$suffix"
rootdn "$rootdn"
rootpw $rootpw
directory $dir/data
index objectClass eq
index uid,cn,employeeNumber,mail eq

overlay memberof

access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="$service" read
  by users read
  by * none
CONF
  } >"$dir/slapd.conf"

  # In the foreground (-d) so that its log goes to slapd.log, in the background of this script,
  # with no stdio tied to the caller (a test waiting for this script's output would hang).
  "$slapd" -d 256 -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/" \
    </dev/null >"$dir/slapd.log" 2>&1 &
  local pid=$!

  local url="ldap://127.0.0.1:$port/" ok=""
  for _ in $(seq 1 100); do
    if ! alive "$pid"; then
      echo "slapd ended while starting; its log ($dir/slapd.log):" >&2
      tail -n 40 "$dir/slapd.log" >&2
      exit 1
    fi
    if "$ldapsearch" -x -H "$url" -o nettimeout=2 -b "" -s base -LLL namingContexts \
      >/dev/null 2>&1; then
      ok=1
      break
    fi
    sleep 0.1
  done
  if [ -z "$ok" ]; then
    echo "slapd did not answer on $url within 10 s; its log ($dir/slapd.log):" >&2
    tail -n 40 "$dir/slapd.log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  # The pid file is written by slapd itself; write it here too in case it is late.
  [ -s "$dir/slapd.pid" ] || echo "$pid" >"$dir/slapd.pid"

  if ! "$ldapadd" -x -H "$url" -D "$rootdn" -w "$rootpw" -f "$seed" >"$dir/seed.log" 2>&1; then
    echo "seeding from $seed failed:" >&2
    cat "$dir/seed.log" >&2
    stop "$dir"
    exit 1
  fi

  if [ -n "${SLAPD_PARENT_PID:-}" ] && [[ "$SLAPD_PARENT_PID" =~ ^[0-9]+$ ]]; then
    (
      while alive "$SLAPD_PARENT_PID" && alive "$pid"; do
        sleep 1
      done
      kill "$pid" 2>/dev/null || true
    ) </dev/null >/dev/null 2>&1 &
  fi
  echo "slapd $pid on $url (suffix $suffix, seeded from $seed)"
}

stop() {
  [ "$#" -ge 1 ] || usage
  local dir="$1" pid
  pid="$(running_pid "$dir")" || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    alive "$pid" || return 0
    sleep 0.05
  done
  echo "slapd $pid did not stop within 10 s; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) usage ;;
esac
