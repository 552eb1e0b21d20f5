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
cp -r template.yaml samconfig.toml package.json package-lock.json tsconfig.json shared hooks config-rules remediation catalog-refresher "$stage/"
cd "$stage"
# SAM's esbuild builder looks for esbuild on the PATH: the project's own copy.
PATH="$root/node_modules/.bin:$root/.venv/bin:$PATH" SAM_CLI_TELEMETRY=0 sam build --parallel --build-dir "$out"
# SAM rewrites the application's LicenseUrl and ReadmeUrl relative to the built template, so they
# would point into the staging copy, deleted on exit, and `sam package` (which uploads them, as
# `sam publish` needs: SAM Developer Guide, "sam publish") would stop. The build folder carries its
# own copies instead; SAM's own YAML reader and writer, which wrote the file, point it at them.
"$root/.venv/bin/python" - "$root" "$out" <<'PY'
import os, shutil, sys
from samcli.yamlhelper import yaml_dump, yaml_parse
root, out = sys.argv[1:]
key = "AWS::ServerlessRepo::Application"
with open(os.path.join(root, "template.yaml"), encoding="utf-8") as f:
    source = (yaml_parse(f.read()).get("Metadata") or {}).get(key, {})
built = os.path.join(out, "template.yaml")
with open(built, encoding="utf-8") as f:
    template = yaml_parse(f.read())
for prop in ("LicenseUrl", "ReadmeUrl"):
    if prop not in source:
        continue
    name = os.path.basename(source[prop])
    shutil.copyfile(os.path.join(root, source[prop]), os.path.join(out, name))
    template["Metadata"][key][prop] = name
with open(built, "w", encoding="utf-8") as f:
    f.write(yaml_dump(template))
PY
