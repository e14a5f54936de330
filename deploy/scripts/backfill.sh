#!/usr/bin/env bash
# Starts a separate, bounded lakestream run that re-reads a time range of the event sources, next
# to the production job and without touching its state. See deploy/README.md, "Backfill".
#
# The run's configuration is the production one (--config) with backfill overrides: its own job
# name and consumer group, the start position (--from), and any KEY=VALUE given with --set, passed
# through unchanged. The job checks every key when it starts and refuses unknown ones, so this
# script needs to know none of them; the intended keys for bounded runs are
#   kafka.starting-offsets=TIMESTAMP, kafka.starting-timestamp=<epoch ms>     (exist)
#   kafka.stopping-offsets=TIMESTAMP, kafka.stopping-timestamp=<epoch ms>     (bounded runs)
#   sink.branch=<name>   write to an Iceberg branch, to check before publishing (bounded runs)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

usage() {
  cat <<'USAGE'
Usage: backfill.sh --target msf|k8s --config FILE --id ID [--from EPOCH_MS] [--set KEY=VALUE ...] [options]

The backfill's configuration, in this order (later wins):
  1. FILE, the production job's properties (same keys as the MSF property groups), without the
     cdc.* keys: a second job on the same replication slot or binlog ids breaks the first, and CDC
     current state is rebuilt by a new snapshot, not replayed
  2. pipeline.name=<name>-backfill-<ID>, kafka.group-id=<group>-backfill-<ID> (its own group, so
     the production job's committed offsets and lag are not touched)
  3. --from EPOCH_MS: kafka.starting-offsets=TIMESTAMP and kafka.starting-timestamp=EPOCH_MS, and
     for Kinesis kinesis.initial-position=AT_TIMESTAMP and kinesis.initial-timestamp=EPOCH_MS
  4. every --set KEY=VALUE, as given, e.g.
       --set kafka.stopping-offsets=TIMESTAMP --set kafka.stopping-timestamp=1767225600000
       --set sink.branch=backfill-2026-01
  The job refuses a key it does not know when it starts, naming it.

MSF: creates the application <application>-backfill-<ID> with the production application's role
and jar (describe-application), the configuration above as property groups, snapshots off, and
starts it without state:
  aws kinesisanalyticsv2 create-application ... ; aws kinesisanalyticsv2 start-application ...
  --application NAME       the production application to copy role and jar from (required)
  --parallelism N          parallelism of the backfill (default: 2)
  --region REGION          AWS region (default: the AWS CLI's)
  Delete it when it has finished: aws kinesisanalyticsv2 delete-application (printed at the end).

Kubernetes: applies a Secret (the configuration) and a FlinkDeployment lakestream-backfill-<ID> (upgradeMode
stateless) running the given image:
  --image IMAGE            image with the application jar (required), pinned tag
  --state-dir URI          where its checkpoints go, e.g. s3://bucket/flink/backfill (required)
  --namespace NS           namespace (default: default)
  --parallelism N          parallelism (default: 2)

Common:
  --config FILE            the production properties, KEY=VALUE per line (required)
  --id ID                  backfill id: lowercase letters, digits and '-' (required)
  --from EPOCH_MS          start of the range, epoch milliseconds
  --set KEY=VALUE          an extra or overriding property, repeatable
  --dry-run                print the commands (and the generated configuration, secret values
                           masked) instead of running them
  -h, --help               this text
USAGE
}

target=""
config=""
id=""
from=""
overrides=()
application=""
parallelism="2"
region=""
image=""
state_dir=""
namespace="default"

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --target) require_value "$1" $#; target="$2"; shift 2 ;;
    --config) require_value "$1" $#; config="$2"; shift 2 ;;
    --id) require_value "$1" $#; id="$2"; shift 2 ;;
    --from) require_value "$1" $#; from="$2"; shift 2 ;;
    --set) require_value "$1" $#; [[ "$2" =~ ^[a-zA-Z0-9_.-]+=.*$ ]] || die "--set takes KEY=VALUE, not '$2'"; overrides+=("$2"); shift 2 ;;
    --application) require_value "$1" $#; application="$2"; shift 2 ;;
    --parallelism) require_value "$1" $#; parallelism="$2"; shift 2 ;;
    --region) require_value "$1" $#; region="$2"; shift 2 ;;
    --image) require_value "$1" $#; image="$2"; shift 2 ;;
    --state-dir) require_value "$1" $#; state_dir="$2"; shift 2 ;;
    --namespace) require_value "$1" $#; namespace="$2"; shift 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

require_set --config "${config}"
require_set --id "${id}"
[[ "${id}" =~ ^[a-z0-9][a-z0-9-]{0,39}$ ]] || die "--id must be lowercase letters, digits and '-' (at most 40), not '${id}'"
[ -f "${config}" ] || die "--config ${config} does not exist"
[ -z "${from}" ] || [[ "${from}" =~ ^[0-9]{13}$ ]] || die "--from takes epoch milliseconds (13 digits), not '${from}'"
[[ "${parallelism}" =~ ^[1-9][0-9]*$ ]] || die "--parallelism must be a positive number, not '${parallelism}'"

# The merged configuration: parallel arrays of keys and values, in first-seen order.
keys=()
values=()

put() {
  local i
  for i in "${!keys[@]}"; do
    if [ "${keys[$i]}" = "$1" ]; then
      values[i]="$2"
      return
    fi
  done
  keys+=("$1")
  values+=("$2")
}

get() {
  local i
  for i in "${!keys[@]}"; do
    if [ "${keys[$i]}" = "$1" ]; then
      echo "${values[$i]}"
      return
    fi
  done
  echo "${2:-}"
}

# Simple .properties: KEY=VALUE or KEY: VALUE per line, '#'/'!' comments; \: \= \\ unescaped.
trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; echo "${s%"${s##*[![:space:]]}"}"; }
unescape() { local s="$1"; s="${s//\\:/:}"; s="${s//\\=/=}"; echo "${s//\\\\/\\}"; }
while IFS= read -r line || [ -n "${line}" ]; do
  line="$(trim "${line}")"
  case "${line}" in ""|\#*|!*) continue ;; esac
  [[ "${line}" =~ ^([^=:]*[^=:\\])[[:space:]]*[=:](.*)$ ]] || die "${config}: cannot read line '${line}' (expected KEY=VALUE)"
  key="$(trim "${BASH_REMATCH[1]}")"
  value="$(unescape "$(trim "${BASH_REMATCH[2]}")")"
  case "${key}" in
    cdc.*) log "leaving out ${key}: CDC is not replayed by a backfill" ;;
    *) put "${key}" "${value}" ;;
  esac
done < "${config}"

base_name="$(get pipeline.name lakestream-ingestion)"
put pipeline.name "${base_name}-backfill-${id}"
if [ -n "$(get kafka.topics)" ]; then
  put kafka.group-id "$(get kafka.group-id lakestream-bronze)-backfill-${id}"
fi
if [ -n "${from}" ]; then
  if [ -n "$(get kafka.topics)" ]; then
    put kafka.starting-offsets TIMESTAMP
    put kafka.starting-timestamp "${from}"
  fi
  if [ -n "$(get kinesis.streams)" ]; then
    put kinesis.initial-position AT_TIMESTAMP
    put kinesis.initial-timestamp "${from}"
  fi
fi
for override in ${overrides[@]+"${overrides[@]}"}; do
  put "${override%%=*}" "${override#*=}"
done
# The backfill application takes no checkpoints (see msf below) and commits once, when its input
# ends: without an end it would never commit.
case "$(get kafka.stopping-offsets NONE)" in
  LATEST|TIMESTAMP) ;;
  *) die "a backfill must end: --set kafka.stopping-offsets=TIMESTAMP (with kafka.stopping-timestamp) or LATEST" ;;
esac

# The value of entry $1, or ****** for a secret key when $2 is "mask" (what is shown, never logged).
shown_value() {
  if [ "${2:-}" = mask ] && is_secret_key "${keys[$1]}"; then
    echo "******"
  else
    echo "${values[$1]}"
  fi
}

# Property groups: group g holds key g.k as property k (what PipelineConfig.fromPropertyGroups reads).
# $1 = mask: secret values replaced.
property_groups_json() {
  local groups=()
  local i g
  for i in "${!keys[@]}"; do
    g="${keys[$i]%%.*}"
    [[ " ${groups[*]-} " == *" ${g} "* ]] || groups+=("${g}")
  done
  local out="[" first_group=true first
  for g in ${groups[@]+"${groups[@]}"}; do
    ${first_group} || out+=","
    first_group=false
    out+="{\"PropertyGroupId\":\"$(json_escape "${g}")\",\"PropertyMap\":{"
    first=true
    for i in "${!keys[@]}"; do
      [ "${keys[$i]%%.*}" = "${g}" ] || continue
      ${first} || out+=","
      first=false
      out+="\"$(json_escape "${keys[$i]#*.}")\":\"$(json_escape "$(shown_value "${i}" "${1:-}")")\""
    done
    out+="}}"
  done
  echo "${out}]"
}

properties_text() {
  local i
  for i in "${!keys[@]}"; do
    echo "${keys[$i]}=$(shown_value "${i}" "${1:-}")"
  done
}

backfill_msf() {
  require_set --application "${application}"
  require_tool aws "install the AWS CLI v2 (https://docs.aws.amazon.com/cli/)"
  local aws=(aws)
  [ -n "${region}" ] && aws+=(--region "${region}")
  local name="${application}-backfill-${id}"
  local role code_bucket code_key
  role="$(query "<role-arn>" "${aws[@]}" kinesisanalyticsv2 describe-application --application-name "${application}" \
    --query ApplicationDetail.ServiceExecutionRole --output text)"
  code_bucket="$(query "<bucket-arn>" "${aws[@]}" kinesisanalyticsv2 describe-application --application-name "${application}" \
    --query ApplicationDetail.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription.CodeContentDescription.S3ApplicationCodeLocationDescription.BucketARN --output text)"
  code_key="$(query "<file-key>" "${aws[@]}" kinesisanalyticsv2 describe-application --application-name "${application}" \
    --query ApplicationDetail.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription.CodeContentDescription.S3ApplicationCodeLocationDescription.FileKey --output text)"
  local common
  common="{\"ApplicationCodeConfiguration\":{\"CodeContentType\":\"ZIPFILE\",\"CodeContent\":{\"S3ContentLocation\":{\"BucketARN\":\"$(json_escape "${code_bucket}")\",\"FileKey\":\"$(json_escape "${code_key}")\"}}},"
  common+="\"ApplicationSnapshotConfiguration\":{\"SnapshotsEnabled\":false},"
  # Checkpoints off (CUSTOM): MSF's DEFAULT forces 60 s checkpoints, and a bounded run must commit
  # once at its end (Iceberg 1.11's sink can lose a writer's last files to a checkpoint at the end).
  common+="\"FlinkApplicationConfiguration\":{\"CheckpointConfiguration\":{\"ConfigurationType\":\"CUSTOM\",\"CheckpointingEnabled\":false},"
  common+="\"ParallelismConfiguration\":{\"ConfigurationType\":\"CUSTOM\",\"Parallelism\":${parallelism},\"ParallelismPerKPU\":1,\"AutoScalingEnabled\":false}},"
  local create=("${aws[@]}" kinesisanalyticsv2 create-application --application-name "${name}"
    --runtime-environment FLINK-1_20 --service-execution-role "${role}" --application-configuration)
  # Shown with secret values masked; run with the real ones.
  run_as "$(show "${create[@]}" "${common}\"EnvironmentProperties\":{\"PropertyGroups\":$(property_groups_json mask)}}")" \
    "${create[@]}" "${common}\"EnvironmentProperties\":{\"PropertyGroups\":$(property_groups_json)}}"
  run "${aws[@]}" kinesisanalyticsv2 start-application --application-name "${name}" \
    --run-configuration "$(restore_json skip)"
  log "backfill ${name} started. The production application's VPC configuration is not copied: add it with aws kinesisanalyticsv2 add-application-vpc-configuration before starting when the sources need it."
  log "when it has finished: aws kinesisanalyticsv2 delete-application --application-name ${name} --create-timestamp \$(aws kinesisanalyticsv2 describe-application --application-name ${name} --query ApplicationDetail.CreateTimestamp --output text)"
}

k8s_manifest() {
  # $1 = mask: secret values replaced. The configuration is a Secret: it may hold passwords.
  local name="lakestream-backfill-${id}"
  cat <<MANIFEST
apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: lakestream-backfill
type: Opaque
stringData:
  pipeline.properties: |
$(properties_text "${1:-}" | sed 's/^/    /')
---
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: lakestream-backfill
spec:
  image: ${image}
  flinkVersion: v1_20
  serviceAccount: lakestream
  flinkConfiguration:
    taskmanager.numberOfTaskSlots: "2"
    execution.checkpointing.mode: EXACTLY_ONCE
    execution.checkpointing.interval: 60 s
    state.backend.type: rocksdb
    state.backend.incremental: "true"
    state.checkpoints.dir: ${state_dir}/${id}/checkpoints
    state.savepoints.dir: ${state_dir}/${id}/savepoints
    restart-strategy.type: exponential-delay
  podTemplate:
    apiVersion: v1
    kind: Pod
    metadata:
      name: pod-template
    spec:
      containers:
        - name: flink-main-container
          envFrom:
            - secretRef:
                name: lakestream-credentials
                optional: true
          volumeMounts:
            - name: pipeline-config
              mountPath: /opt/lakestream
              readOnly: true
      volumes:
        - name: pipeline-config
          secret:
            secretName: ${name}
  jobManager:
    resource:
      memory: 2048m
      cpu: 1
  taskManager:
    resource:
      memory: 4096m
      cpu: 2
  job:
    jarURI: local:///opt/flink/usrlib/lakestream.jar
    entryClass: dev.lakestream.jobs.IngestionApplication
    args: ["--config", "/opt/lakestream/pipeline.properties"]
    parallelism: ${parallelism}
    upgradeMode: stateless
    state: running
MANIFEST
}

manifest=""

backfill_k8s() {
  require_set --image "${image}"
  require_set --state-dir "${state_dir}"
  [[ "${image}" == *:* && "${image}" != *:latest ]] || die "--image needs a pinned tag (not missing, not latest): '${image}'"
  require_tool kubectl "install kubectl and point it at the cluster"
  if [ "${DRY_RUN}" = "1" ]; then
    manifest="lakestream-backfill-${id}.yaml"
    echo "# ${manifest} (secret values masked here):" >&3
    k8s_manifest mask >&3
  else
    manifest="$(mktemp "${TMPDIR:-/tmp}/lakestream-backfill-${id}.XXXXXX")"
    # It holds the configuration's secrets: gone when the script ends (global: the trap runs then).
    trap 'rm -f "${manifest}"' EXIT
    k8s_manifest > "${manifest}"
  fi
  run kubectl apply --namespace "${namespace}" -f "${manifest}"
  log "backfill lakestream-backfill-${id} submitted; when it has finished: kubectl delete flinkdeployment,secret lakestream-backfill-${id} --namespace ${namespace}"
}

case "${target}" in
  msf) backfill_msf ;;
  k8s) backfill_k8s ;;
  "") die "--target msf|k8s is required (see --help)" ;;
  *) die "--target must be msf or k8s, not '${target}'" ;;
esac
