#!/usr/bin/env bash
# Sets up what the job's tests and local runs need, inside the repository only:
#   .venv/          Python 3.11 with the pinned requirements-dev.txt (PyFlink, boto3, ...)
#   .m2/repository  the Maven repository the projects below are built with
# Idempotent: each step records a hash of its inputs and is skipped while they are unchanged, so
# a second run takes well under a second. Exit 2: a prerequisite is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Maven projects built here, as pom:jar-it-writes. Owners of other projects append theirs.
MAVEN_PROJECTS=(
  "app/pom.xml:app/lib/pyflink-dependencies.jar"
  "tools/local/kafka/pom.xml:tools/local/kafka/target/lib/kafka_2.13-4.0.0.jar"
)
PYTHON="${PYTHON:-python3.11}"
PYTHON_STAMP=.venv/.setup-runtime-requirements
MAVEN_STAMPS=.m2/setup-runtime

missing() {
  echo "setup-runtime: $1 not found: $2" >&2
  exit 2
}

# Hash of the named files' content, in a stable order.
content_hash() {
  sha256sum "$@" | sha256sum | cut -d' ' -f1
}

command -v "$PYTHON" >/dev/null || missing "$PYTHON" "install Python 3.11 with venv (Debian: apt-get install python3.11 python3.11-venv)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
  missing "Python 3.11 as $PYTHON" "PyFlink 1.20 on Managed Flink runs Python 3.11; set PYTHON to a 3.11 interpreter"

python_inputs=$(content_hash requirements-dev.txt app/requirements.txt)
if [[ ! -x .venv/bin/python || "$(cat "$PYTHON_STAMP" 2>/dev/null)" != "$python_inputs" ]]; then
  echo "setup-runtime: installing requirements-dev.txt into .venv/" >&2
  [[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$python_inputs" >"$PYTHON_STAMP"
fi

for project in "${MAVEN_PROJECTS[@]}"; do
  pom="${project%%:*}"
  jar="${project#*:}"
  dir=$(dirname "$pom")
  inputs=("$pom")
  if [[ -d "$dir/src" ]]; then
    mapfile -t sources < <(find "$dir/src" -type f | LC_ALL=C sort)
    inputs+=("${sources[@]}")
  fi
  maven_inputs=$(content_hash "${inputs[@]}")
  stamp="$MAVEN_STAMPS/$(echo "$pom" | tr '/' '_')"
  if [[ ! -f "$jar" || "$(cat "$stamp" 2>/dev/null)" != "$maven_inputs" ]]; then
    command -v mvn >/dev/null || missing mvn "install Maven 3.8 or later and JDK 17 (Debian: apt-get install maven openjdk-17-jdk-headless)"
    echo "setup-runtime: building $pom" >&2
    mvn -q -B -Dmaven.repo.local=.m2/repository -f "$pom" package
    mkdir -p "$MAVEN_STAMPS"
    echo "$maven_inputs" >"$stamp"
  fi
done
