#!/usr/bin/env bash
# One-time (and incremental) set-up for `make run` and `make test`:
# a virtualenv in .venv with the Python packages, and the Node packages (DynamoDB Local, GraphiQL assets).
set -euo pipefail
cd "$(dirname "$0")/.."

# progress goes to stderr, so `$(make -s api-key)` captures only the key
step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || fail "$PYTHON not found: install Python 3.11 or newer."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || fail "Python 3.11 or newer is needed ($("$PYTHON" --version 2>&1) found). Set PYTHON=/path/to/python3.11."
command -v java >/dev/null 2>&1 || fail "java not found: DynamoDB Local needs Java 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17). To run on moto's DynamoDB instead, set APPSYNC_LOCAL_DYNAMODB=moto."
command -v npm >/dev/null 2>&1 || fail "npm not found: Node.js 18 or newer is needed for DynamoDB Local's package, the local Kinesis (kinesalite) and GraphiQL's assets (https://nodejs.org or apt-get install nodejs npm)."

if [ ! -x .venv/bin/python ]; then
  step "Creating virtualenv in .venv"
  "$PYTHON" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  step "Installing Python packages (pip install -e '.[dev,infra]'; a few minutes the first time)"
  # pip's own output goes to a log, shown only when the install fails
  log=.venv/pip-install.log
  # aws-cdk-lib is some 350 service modules, of which infra imports about 25: it is installed first and without
  # bytecode (compiling all of it was half of this step), then the modules infra imports are compiled below.
  cdk_lib=$(.venv/bin/python -c 'import tomllib; print(next(r for r in tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["infra"] if r.startswith("aws-cdk-lib")))')
  if ! { .venv/bin/python -m pip install --disable-pip-version-check -q --upgrade pip \
         && .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off --no-compile "$cdk_lib" \
         && .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -e '.[dev,infra]'; } >"$log" 2>&1; then
    grep -v "is ignored: it is neither" "$log" | tail -40 >&2
    fail "pip could not install the Python packages (full log: $log)"
  fi
  .venv/bin/python -c 'import appsync_local, strawberry, aws_lambda_powertools, gql' \
    || fail "the Python packages did not install (log: $log)"
  # Importing infra's stacks once, with bytecode writing on, compiles what of aws-cdk-lib they import.
  env -u PYTHONDONTWRITEBYTECODE \
    .venv/bin/python -c 'import infra.stacks.assembly, aws_cdk.assertions' >/dev/null 2>&1 || true
  touch .venv/.installed
fi
# Each function's own requirements (appsync.toml `requirements = [...]`), so every function imports locally.
requirements=$(.venv/bin/python -m appdef requirements) || fail "appsync.toml is not valid (above); fix it and retry."
if [ -n "$requirements" ] && [ "$requirements" != "$(cat .venv/.function-requirements 2>/dev/null)" ]; then
  step "Installing the functions' requirements: $(echo $requirements)"
  log=.venv/pip-functions.log
  # shellcheck disable=SC2086
  if ! .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off $requirements >"$log" 2>&1; then
    grep -v "is ignored: it is neither" "$log" | tail -40 >&2
    fail "pip could not install the functions' requirements (full log: $log)"
  fi
  printf '%s' "$requirements" > .venv/.function-requirements
fi
if [ ! -f node_modules/.installed ] || [ package.json -nt node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ]; then
  step "Installing Node packages (npm ci: DynamoDB Local, kinesalite, GraphiQL, esbuild)"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.installed
fi
[ -f node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar ] \
  || fail "DynamoDB Local's jar is missing from node_modules/amplify-dynamodb-simulator/emulator; remove node_modules and retry."
node_modules/esbuild/bin/esbuild --version >/dev/null 2>&1 \
  || fail "esbuild (it bundles the APPSYNC_JS resolvers) does not run from node_modules/esbuild; remove node_modules and retry."
# kinesalite keeps its records in LevelDB through leveldown's native module (prebuilt for common platforms).
node -e "require('kinesalite'); require('leveldown')" >/dev/null 2>&1 \
  || fail "kinesalite (the local Kinesis) or its LevelDB module does not load from node_modules; remove node_modules and retry."
# The project's own modules as bytecode. Where PYTHONDONTWRITEBYTECODE is set (many containers set it), Python
# would otherwise compile every one of them from source at each start; what is current is skipped (~0.1 s).
.venv/bin/python -m compileall -qq appdef appsync_local jsbundles schema resolvers subscriptions functions \
  >/dev/null 2>&1 || true  # a module that does not compile is reported where it is imported, by name
# DynamoDB Local's class data (appsync_local/local_aws/class_data.py): recorded once per Java and DynamoDB Local,
# so that even the first `make run` has its JVM answer in half the time and stop without recording.
jar_dir=node_modules/amplify-dynamodb-simulator/emulator
if ! .venv/bin/python -m appsync_local.local_aws.class_data --check "$jar_dir" 2>/dev/null; then
  step "Recording DynamoDB Local's class data (once; about 15 seconds)"
  .venv/bin/python -m appsync_local.local_aws.class_data "$jar_dir"
fi
step "Set-up complete"
