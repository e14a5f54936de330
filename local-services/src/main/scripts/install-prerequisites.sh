#!/usr/bin/env bash
# Installs what the local servers of local-services need and Maven cannot bring:
#   - Debian's PostgreSQL server (initdb, pg_ctl under /usr/lib/postgresql/<major>/bin)
#   - Debian's MariaDB server (mariadbd, mariadb-install-db), for MySQL-protocol CDC
#   - the npm package kinesis-local (a Node build of kinesis-mock), into a per-user cache dir that
#     survives `mvn clean`.
# It also looks for the Java 24+ runtime Trino needs (LocalServices.trino()). No Debian package
# provides one (Debian 12 stops at 17), so it only says what to install when none is found.
# The local-services build runs it at generate-resources. Idempotent, and a fast no-op when
# everything is present.
#
# Usage: install-prerequisites.sh [KINESIS_LOCAL_DIR] [KINESIS_LOCAL_VERSION]
#   KINESIS_LOCAL_DIR      default ${HOME}/.cache/lakestream/kinesis-local-<version>
#   KINESIS_LOCAL_VERSION  default 0.6.2
set -euo pipefail

KINESIS_LOCAL_VERSION="${2:-0.6.2}"
KINESIS_LOCAL_DIR="${1:-${HOME}/.cache/lakestream/kinesis-local-${KINESIS_LOCAL_VERSION}}"

log() { echo "[install-prerequisites] $*"; }
fail() { echo "[install-prerequisites] ERROR: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" = "0" ]; }
can_apt() { is_root && command -v apt-get >/dev/null 2>&1; }

apt_updated=false
apt_install() {
  if [ "${apt_updated}" = false ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=true
  fi
  log "apt-get install -y --no-install-recommends $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

find_initdb() {
  # Highest major first, as the Java side picks it.
  ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1
}

# --- PostgreSQL server --------------------------------------------------------------------------
initdb_path="$(find_initdb || true)"
if [ -n "${initdb_path}" ]; then
  log "PostgreSQL server present: ${initdb_path%/initdb}"
elif can_apt; then
  log "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: installing Debian package postgresql"
  apt_install postgresql
  initdb_path="$(find_initdb || true)"
  [ -n "${initdb_path}" ] || fail "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb appeared"
  log "PostgreSQL server installed: ${initdb_path%/initdb}"
else
  fail "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin and this is not root with apt-get. Install them with: sudo apt-get install -y --no-install-recommends postgresql"
fi

# --- MariaDB server -----------------------------------------------------------------------------
find_mariadbd() {
  # As the Java side looks for it: the usual directories, then the PATH; the old name too.
  for name in mariadbd mysqld; do
    for dir in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
      if [ -x "${dir}/${name}" ]; then echo "${dir}/${name}"; return 0; fi
    done
    if command -v "${name}" >/dev/null 2>&1; then command -v "${name}"; return 0; fi
  done
  return 1
}

mariadbd_path="$(find_mariadbd || true)"
if [ -n "${mariadbd_path}" ]; then
  log "MariaDB server present: ${mariadbd_path}"
elif can_apt; then
  log "MariaDB server (mariadbd) not found: installing Debian package mariadb-server"
  # Where an init system runs, the package also starts a system server on port 3306; ours use their own ports.
  apt_install mariadb-server
  mariadbd_path="$(find_mariadbd || true)"
  [ -n "${mariadbd_path}" ] || fail "apt-get installed mariadb-server but no mariadbd appeared in /usr/sbin or on the PATH"
  log "MariaDB server installed: ${mariadbd_path}"
else
  fail "MariaDB server (mariadbd) not found in /usr/sbin, /usr/bin or on the PATH and this is not root with apt-get. Install it with: sudo apt-get install -y --no-install-recommends mariadb-server"
fi

# --- Node.js and npm ----------------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if can_apt; then
    log "node/npm not found: installing Debian packages nodejs npm"
    apt_install nodejs npm
  else
    fail "node and npm are needed for the Kinesis-API server. Install them with: sudo apt-get install -y --no-install-recommends nodejs npm"
  fi
fi

# --- npm kinesis-local --------------------------------------------------------------------------
package_dir="${KINESIS_LOCAL_DIR}/node_modules/kinesis-local"
if [ -f "${package_dir}/main.js" ] \
   && grep -Eq "\"version\"[[:space:]]*:[[:space:]]*\"${KINESIS_LOCAL_VERSION}\"" "${package_dir}/package.json" 2>/dev/null; then
  log "kinesis-local ${KINESIS_LOCAL_VERSION} present: ${package_dir}"
else
  log "installing npm kinesis-local@${KINESIS_LOCAL_VERSION} into ${KINESIS_LOCAL_DIR}"
  # Install beside the target and move it in, so a concurrent build never sees half a package.
  parent_dir="$(dirname "${KINESIS_LOCAL_DIR}")"
  mkdir -p "${parent_dir}"
  staging_dir="$(mktemp -d "${parent_dir}/.kinesis-local-install.XXXXXX")"
  chmod 755 "${staging_dir}"
  trap 'rm -rf "${staging_dir}"' EXIT
  npm install --no-audit --no-fund --no-update-notifier --no-package-lock --loglevel=error \
    --prefix "${staging_dir}" "kinesis-local@${KINESIS_LOCAL_VERSION}"
  [ -f "${staging_dir}/node_modules/kinesis-local/main.js" ] \
    || fail "npm install kinesis-local@${KINESIS_LOCAL_VERSION} left no node_modules/kinesis-local/main.js in ${staging_dir}"
  rm -rf "${KINESIS_LOCAL_DIR}"
  mv "${staging_dir}" "${KINESIS_LOCAL_DIR}"
  trap - EXIT
  log "kinesis-local ${KINESIS_LOCAL_VERSION} installed: ${package_dir}"
fi

# --- Java 24+ for Trino (checked, not installed) -------------------------------------------------
# Where the Java side looks: any JDK under /usr/lib/jvm, /usr/java, /opt/java with a
# release file saying JAVA_VERSION >= 24 (or -Dlakestream.trino.java-home at test time).
trino_java=""
for home in /usr/lib/jvm/* /usr/java/* /opt/java/*; do
  [ -x "${home}/bin/java" ] && [ -f "${home}/release" ] || continue
  version="$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "${home}/release" | head -n 1)"
  if [ -n "${version}" ] && [ "${version}" -ge 24 ]; then
    trino_java="${home} (Java ${version})"
  fi
done
if [ -n "${trino_java}" ]; then
  log "Java 24+ for Trino present: ${trino_java}"
else
  log "WARNING: no Java 24 or newer under /usr/lib/jvm, /usr/java or /opt/java: the tests that start Trino" \
    "(LocalServices.trino()) will fail. Debian 12 packages none; install Eclipse Temurin 25 (package" \
    "temurin-25-jdk from Adoptium's apt repository, into /usr/lib/jvm/temurin-25-jdk-amd64), or run the" \
    "tests with -Dlakestream.trino.java-home=<a JDK 24+>."
fi
