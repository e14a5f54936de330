#!/usr/bin/env bash
# Upgrades a running lakestream deployment to a new jar or image, carrying its state over through
# a snapshot (MSF) or savepoint (Kubernetes operator). See deploy/README.md, "Upgrade" and "Roll back".
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

usage() {
  cat <<'USAGE'
Usage: upgrade.sh --target msf|k8s [options]

MSF (Managed Service for Apache Flink):
  1. aws s3 cp <jar> s3://<jar-bucket>/<jar-prefix><jar file name>
  2. aws kinesisanalyticsv2 create-application-snapshot (pre-upgrade-<UTC time>): the state to
     roll back to
  3. aws kinesisanalyticsv2 update-application with the new jar and --run-configuration-update:
     MSF snapshots the running job, stops it and starts the new code from the chosen snapshot

  --application NAME       MSF application (required)
  --jar PATH               the new application jar (required)
  --jar-bucket BUCKET      bucket for the jar (required; the role reads <jar-prefix>* of it)
  --jar-prefix PREFIX      key prefix ending in '/' (default: lakestream/jars/)
  --restore MODE           latest (default: the snapshot MSF takes while stopping the old job),
                           snapshot:<name> (a named snapshot, e.g. to roll back), skip (no state)
  --no-snapshot-before     do not take the pre-upgrade snapshot
  --allow-non-restored-state
                           start although some snapshot state belongs to no operator of the new
                           job (an operator was removed on purpose); its state is dropped
  --partition PARTITION    ARN partition of the bucket (default: aws)
  --region REGION          AWS region (default: the AWS CLI's)

Kubernetes (Flink Kubernetes Operator):
  kubectl patch flinkdeployment <name> with the new image; with upgradeMode savepoint the operator
  stops the job with a savepoint and starts the new image from it; then waits until it is STABLE.

  --image IMAGE            the new image, e.g. registry.example.com/lakestream:0.2.0 (required)
  --name NAME              FlinkDeployment name (default: lakestream)
  --namespace NS           namespace (default: default)
  --timeout DURATION       how long to wait for STABLE (default: 15m)

Common:
  --dry-run                print the commands instead of running them
  -h, --help               this text
USAGE
}

target=""
application=""
jar=""
jar_bucket=""
jar_prefix="lakestream/jars/"
restore="latest"
snapshot_before=true
allow_non_restored=false
partition="aws"
region=""
image=""
name="lakestream"
namespace="default"
timeout="15m"

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --target) require_value "$1" $#; target="$2"; shift 2 ;;
    --application) require_value "$1" $#; application="$2"; shift 2 ;;
    --jar) require_value "$1" $#; jar="$2"; shift 2 ;;
    --jar-bucket) require_value "$1" $#; jar_bucket="$2"; shift 2 ;;
    --jar-prefix) require_value "$1" $#; jar_prefix="$2"; shift 2 ;;
    --restore) require_value "$1" $#; restore="$2"; shift 2 ;;
    --no-snapshot-before) snapshot_before=false; shift ;;
    --allow-non-restored-state) allow_non_restored=true; shift ;;
    --partition) require_value "$1" $#; partition="$2"; shift 2 ;;
    --region) require_value "$1" $#; region="$2"; shift 2 ;;
    --image) require_value "$1" $#; image="$2"; shift 2 ;;
    --name) require_value "$1" $#; name="$2"; shift 2 ;;
    --namespace) require_value "$1" $#; namespace="$2"; shift 2 ;;
    --timeout) require_value "$1" $#; timeout="$2"; shift 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

upgrade_msf() {
  require_set --application "${application}"
  require_set --jar "${jar}"
  require_set --jar-bucket "${jar_bucket}"
  [[ "${jar_prefix}" == "" || "${jar_prefix}" == */ ]] || die "--jar-prefix must end in '/', not '${jar_prefix}'"
  [ "${DRY_RUN}" = "1" ] || [ -f "${jar}" ] || die "--jar ${jar} does not exist"
  require_tool aws "install the AWS CLI v2 (https://docs.aws.amazon.com/cli/)"
  local restore_config
  restore_config="$(restore_json "${restore}")"
  local run_config="{${restore_config:1:${#restore_config}-2},\"FlinkRunConfiguration\":{\"AllowNonRestoredState\":${allow_non_restored}}}"
  local jar_key
  jar_key="${jar_prefix}$(basename "${jar}")"
  local aws=(aws)
  [ -n "${region}" ] && aws+=(--region "${region}")

  run "${aws[@]}" s3 cp "${jar}" "s3://${jar_bucket}/${jar_key}"

  local snapshot=""
  if [ "${snapshot_before}" = true ]; then
    snapshot="pre-upgrade-$(date -u +%Y%m%d-%H%M%S)"
    run "${aws[@]}" kinesisanalyticsv2 create-application-snapshot --application-name "${application}" --snapshot-name "${snapshot}"
    wait_for_snapshot "${snapshot}"
  fi

  local version
  version="$(query "<current-application-version-id>" "${aws[@]}" kinesisanalyticsv2 describe-application \
    --application-name "${application}" --query ApplicationDetail.ApplicationVersionId --output text)"
  local code_update
  code_update="{\"ApplicationCodeConfigurationUpdate\":{\"CodeContentUpdate\":{\"S3ContentLocationUpdate\":{\"BucketARNUpdate\":\"arn:${partition}:s3:::$(json_escape "${jar_bucket}")\",\"FileKeyUpdate\":\"$(json_escape "${jar_key}")\"}}}}"
  run "${aws[@]}" kinesisanalyticsv2 update-application --application-name "${application}" \
    --current-application-version-id "${version}" \
    --application-configuration-update "${code_update}" \
    --run-configuration-update "${run_config}"

  log "updating ${application}: MSF snapshots the running job, stops it and starts ${jar_key}"
  log "follow it with: aws kinesisanalyticsv2 describe-application --application-name ${application} --query ApplicationDetail.ApplicationStatus"
  log "the CloudFormation stack still names the old jar: pass --parameter JarFileName=$(basename "${jar}") on the next deploy.sh"
  if [ -n "${snapshot}" ]; then
    log "roll back: upgrade.sh --target msf --application ${application} --jar <previous jar> --jar-bucket ${jar_bucket} --restore snapshot:${snapshot} --no-snapshot-before"
  fi
}

wait_for_snapshot() {
  local snapshot="$1"
  local aws=(aws)
  [ -n "${region}" ] && aws+=(--region "${region}")
  local status attempt
  for attempt in $(seq 1 60); do
    status="$(query READY "${aws[@]}" kinesisanalyticsv2 describe-application-snapshot --application-name "${application}" \
      --snapshot-name "${snapshot}" --query SnapshotDetails.SnapshotStatus --output text)"
    case "${status}" in
      READY) return 0 ;;
      FAILED) die "snapshot ${snapshot} failed: nothing was changed; see the application's logs" ;;
      *) log "snapshot ${snapshot} is ${status} (check ${attempt} of 60)"; sleep 10 ;;
    esac
  done
  die "snapshot ${snapshot} not READY after 10 minutes: nothing was changed"
}

upgrade_k8s() {
  require_set --image "${image}"
  [[ "${image}" == *:* && "${image}" != *:latest ]] || die "--image needs a pinned tag (not missing, not latest): '${image}'"
  require_tool kubectl "install kubectl and point it at the cluster"
  run kubectl patch flinkdeployment "${name}" --namespace "${namespace}" --type merge \
    -p "{\"spec\":{\"image\":\"$(json_escape "${image}")\"}}"
  run kubectl wait "flinkdeployment/${name}" --namespace "${namespace}" \
    --for=jsonpath='{.status.lifecycleState}'=STABLE --timeout="${timeout}"
  log "upgraded ${name} to ${image}; the savepoint it started from: kubectl get flinkdeployment ${name} --namespace ${namespace} -o jsonpath='{.status.jobStatus.savepointInfo.lastSavepoint.location}'"
}

case "${target}" in
  msf) upgrade_msf ;;
  k8s) upgrade_k8s ;;
  "") die "--target msf|k8s is required (see --help)" ;;
  *) die "--target must be msf or k8s, not '${target}'" ;;
esac
