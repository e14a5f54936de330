#!/usr/bin/env bash
# Deploys lakestream: on Managed Service for Apache Flink through the CloudFormation stack, or on
# Kubernetes through the Flink operator's FlinkDeployment. See deploy/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEPLOY_DIR="$(dirname "${SCRIPT_DIR}")"
REPO_DIR="$(dirname "${DEPLOY_DIR}")"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

usage() {
  cat <<'USAGE'
Usage: deploy.sh --target msf|k8s [options]

MSF (Managed Service for Apache Flink):
  1. aws s3 cp <jar> s3://<jar-bucket>/<jar-prefix><jar file name>
  2. aws cloudformation deploy (deploy/cloudformation/lakestream.yaml): bucket, Glue databases
     bronze/silver/gold, IAM role, application, logging
  3. aws kinesisanalyticsv2 start-application, if the application is not running

  --stack-name NAME        CloudFormation stack (default: lakestream)
  --jar PATH               application jar (default: the one flink-jobs/target/flink-jobs-*-application.jar)
  --jar-bucket BUCKET      bucket for the jar (required)
  --jar-prefix PREFIX      key prefix ending in '/' (default: lakestream/jars/)
  --parameter KEY=VALUE    stack parameter, repeatable (e.g. KafkaTopics='orders;clicks',
                           KafkaBootstrapServers=..., KinesisStreamArns=arn1,arn2, SubnetIds=...)
  --restore MODE           how a start restores state: latest (default; the newest snapshot),
                           skip (no state: the first start), snapshot:<name>
  --no-start               create/update the stack only
  --region REGION          AWS region (default: the AWS CLI's)

Kubernetes (Flink Kubernetes Operator 1.10+ installed in the cluster):
  kubectl apply -f deploy/kubernetes/flink-deployment.yaml (ConfigMap + FlinkDeployment)

  --namespace NS           namespace (default: default)
  --manifest FILE          manifest to apply (default: deploy/kubernetes/flink-deployment.yaml)

Common:
  --dry-run                print the commands instead of running them
  -h, --help               this text
USAGE
}

target=""
stack_name="lakestream"
jar=""
jar_bucket=""
jar_prefix="lakestream/jars/"
restore="latest"
start=true
region=""
namespace="default"
manifest="${DEPLOY_DIR}/kubernetes/flink-deployment.yaml"
parameters=()

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --target) require_value "$1" $#; target="$2"; shift 2 ;;
    --stack-name) require_value "$1" $#; stack_name="$2"; shift 2 ;;
    --jar) require_value "$1" $#; jar="$2"; shift 2 ;;
    --jar-bucket) require_value "$1" $#; jar_bucket="$2"; shift 2 ;;
    --jar-prefix) require_value "$1" $#; jar_prefix="$2"; shift 2 ;;
    --parameter) require_value "$1" $#; [[ "$2" == ?*=* ]] || die "--parameter takes KEY=VALUE, not '$2'"; parameters+=("$2"); shift 2 ;;
    --restore) require_value "$1" $#; restore="$2"; shift 2 ;;
    --no-start) start=false; shift ;;
    --region) require_value "$1" $#; region="$2"; shift 2 ;;
    --namespace) require_value "$1" $#; namespace="$2"; shift 2 ;;
    --manifest) require_value "$1" $#; manifest="$2"; shift 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

find_jar() {
  local found=()
  local candidate
  for candidate in "${REPO_DIR}"/flink-jobs/target/flink-jobs-*-application.jar; do
    [ -e "${candidate}" ] && found+=("${candidate}")
  done
  [ "${#found[@]}" -eq 1 ] || die "expected one flink-jobs/target/flink-jobs-*-application.jar, found ${#found[@]}: build with 'mvn -pl flink-jobs -am package -DskipTests' or pass --jar"
  echo "${found[0]}"
}

deploy_msf() {
  require_set --jar-bucket "${jar_bucket}"
  [[ "${jar_prefix}" == "" || "${jar_prefix}" == */ ]] || die "--jar-prefix must end in '/', not '${jar_prefix}'"
  restore_json "${restore}" >/dev/null
  require_tool aws "install the AWS CLI v2 (https://docs.aws.amazon.com/cli/)"
  if [ -z "${jar}" ]; then
    if [ "${DRY_RUN}" = "1" ]; then
      jar="flink-jobs/target/flink-jobs-<version>-application.jar"
    else
      jar="$(find_jar)"
    fi
  elif [ "${DRY_RUN}" != "1" ]; then
    [ -f "${jar}" ] || die "--jar ${jar} does not exist"
  fi
  local jar_name
  jar_name="$(basename "${jar}")"
  local aws=(aws)
  [ -n "${region}" ] && aws+=(--region "${region}")

  run "${aws[@]}" s3 cp "${jar}" "s3://${jar_bucket}/${jar_prefix}${jar_name}"
  run "${aws[@]}" cloudformation deploy \
    --template-file "${DEPLOY_DIR}/cloudformation/lakestream.yaml" \
    --stack-name "${stack_name}" \
    --capabilities CAPABILITY_IAM \
    --no-fail-on-empty-changeset \
    --parameter-overrides "JarBucketName=${jar_bucket}" "JarKeyPrefix=${jar_prefix}" "JarFileName=${jar_name}" ${parameters[@]+"${parameters[@]}"}

  local app
  app="$(query "<application-name>" "${aws[@]}" cloudformation describe-stacks --stack-name "${stack_name}" \
    --query "Stacks[0].Outputs[?OutputKey=='ApplicationName'].OutputValue" --output text)"
  if [ "${start}" = false ]; then
    log "stack ${stack_name} deployed; application ${app} not started (--no-start)"
    return
  fi
  local status
  status="$(query READY "${aws[@]}" kinesisanalyticsv2 describe-application --application-name "${app}" \
    --query ApplicationDetail.ApplicationStatus --output text)"
  case "${status}" in
    READY)
      run "${aws[@]}" kinesisanalyticsv2 start-application --application-name "${app}" \
        --run-configuration "$(restore_json "${restore}")"
      log "starting ${app}; follow it with: aws kinesisanalyticsv2 describe-application --application-name ${app} --query ApplicationDetail.ApplicationStatus" ;;
    RUNNING)
      log "${app} is running: CloudFormation applied the changes in place (a code change restarts it from a snapshot)" ;;
    *)
      die "${app} is ${status}: wait until it is READY or RUNNING and run again" ;;
  esac
}

deploy_k8s() {
  require_tool kubectl "install kubectl and point it at the cluster"
  [ "${DRY_RUN}" = "1" ] || [ -f "${manifest}" ] || die "--manifest ${manifest} does not exist"
  run kubectl apply --namespace "${namespace}" -f "${manifest}"
  log "the operator deploys it; follow it with: kubectl get flinkdeployment --namespace ${namespace}"
}

case "${target}" in
  msf) deploy_msf ;;
  k8s) deploy_k8s ;;
  "") die "--target msf|k8s is required (see --help)" ;;
  *) die "--target must be msf or k8s, not '${target}'" ;;
esac
