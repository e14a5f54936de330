#!/usr/bin/env bash
# Shared by deploy.sh, upgrade.sh and backfill.sh: logging, argument checks, and run(), which
# prints a command instead of running it in dry-run mode (DRY_RUN=1, set by --dry-run).

DRY_RUN="${DRY_RUN:-0}"

# fd 3 is the real stdout, so dry-run lines printed inside $(...) still reach it, in order.
exec 3>&1

log() { echo "[lakestream] $*" >&2; }
die() { echo "[lakestream] ERROR: $*" >&2; exit 2; }

# Prints a command as a copy-pasteable shell line: plain words as they are, others single-quoted.
show() {
  local quoted=()
  local arg
  for arg in "$@"; do
    if [[ "${arg}" =~ ^[a-zA-Z0-9_./:=@,+%-]+$ ]]; then
      quoted+=("${arg}")
    else
      quoted+=("'$(printf '%s' "${arg}" | sed "s/'/'\\\\''/g")'")
    fi
  done
  echo "${quoted[*]}"
}

# Runs a command, or prints it with a "+ " prefix under --dry-run.
run() {
  if [ "${DRY_RUN}" = "1" ]; then
    echo "+ $(show "$@")" >&3
  else
    log "$(show "$@")"
    "$@"
  fi
}

# Like run, but shows DISPLAY (e.g. the command with secrets masked) instead of the command.
run_as() {
  local display="$1"
  shift
  if [ "${DRY_RUN}" = "1" ]; then
    echo "+ ${display}" >&3
  else
    log "${display}"
    "$@"
  fi
}

# Whether a configuration key holds a secret (same rule as the job's PipelineConfig.isSecret).
is_secret_key() {
  local k
  k="$(echo "$1" | tr '[:upper:]' '[:lower:]')"
  [[ "${k}" == *password* || "${k}" == *secret* || "${k}" == *token* || "${k}" == *credential* ]]
}

# Runs a command whose output is needed (describe calls); under --dry-run prints it and echoes
# the placeholder given as first argument instead.
query() {
  local placeholder="$1"
  shift
  if [ "${DRY_RUN}" = "1" ]; then
    echo "+ $(show "$@")" >&3
    echo "${placeholder}"
  else
    "$@"
  fi
}

require_value() {
  # $1 option name, $2 number of remaining args (including the option)
  [ "$2" -ge 2 ] || die "$1 needs a value (see --help)"
}

require_set() {
  # $1 option name, $2 value
  [ -n "$2" ] || die "$1 is required (see --help)"
}

require_tool() {
  [ "${DRY_RUN}" = "1" ] || command -v "$1" >/dev/null 2>&1 || die "$1 is not installed: $2"
}

# Escapes a string for a JSON string literal.
json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\t'/\\t}"
  s="${s//$'\n'/\\n}"
  printf '%s' "${s}"
}

# Restore configuration of the MSF run configuration: latest | skip | snapshot:<name>.
restore_json() {
  case "$1" in
    latest) echo '{"ApplicationRestoreConfiguration":{"ApplicationRestoreType":"RESTORE_FROM_LATEST_SNAPSHOT"}}' ;;
    skip) echo '{"ApplicationRestoreConfiguration":{"ApplicationRestoreType":"SKIP_RESTORE_FROM_SNAPSHOT"}}' ;;
    snapshot:?*)
      local name="${1#snapshot:}"
      [[ "${name}" =~ ^[a-zA-Z0-9_.-]+$ ]] || die "snapshot name '${name}' may only hold letters, digits, '_', '.' and '-'"
      echo "{\"ApplicationRestoreConfiguration\":{\"ApplicationRestoreType\":\"RESTORE_FROM_CUSTOM_SNAPSHOT\",\"SnapshotName\":\"${name}\"}}" ;;
    *) die "--restore must be latest, skip or snapshot:<name>, not '$1'" ;;
  esac
}
