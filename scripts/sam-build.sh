#!/usr/bin/env bash
# `sam build` copies each function's CodeUri (here the project root, .venv included) once per
# function. Build from a staging copy of the sources instead: same template, same result.
# Usage: scripts/sam-build.sh [BUILD_DIR]   (default .aws-sam/build, where `sam deploy` looks)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="$(realpath -m "${1:-.aws-sam/build}")"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -r template.yaml samconfig.toml package.json package-lock.json tsconfig.json shared hooks config-rules remediation catalog-refresher waivers "$stage/"
cd "$stage"
# SAM's esbuild builder looks for esbuild on the PATH: the project's own copy.
PATH="$root/node_modules/.bin:$root/.venv/bin:$PATH" SAM_CLI_TELEMETRY=0 sam build --parallel --build-dir "$out"
