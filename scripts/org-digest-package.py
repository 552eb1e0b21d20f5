"""Builds the organisation digest function (org/digest/handler.ts) for org/central.yaml.

The central stack is plain CloudFormation, deployed with `aws cloudformation deploy`: no SAM
build. This bundles the handler with esbuild as `sam build` bundles the member functions
(template.yaml's BuildProperties: an ES module, minified, split, source maps, the Lambda runtime's
AWS SDK left out), zips it reproducibly (sorted entries, fixed times and modes: the same sources
give the same bytes), and writes it to DIR/runtime-warden/<version>/org-digest-<sha256 of the
zip>.zip. It prints that key, central.yaml's OrgDigestCodeKey: a new build is a new key, so
CloudFormation updates the function's code (it compares the template's values, not the object
behind them); `aws s3 sync DIR s3://<prefix>-<home region>` uploads it.

Usage: .venv/bin/python scripts/org-digest-package.py DIR
"""

import argparse
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ENTRY = os.path.join("org", "digest", "handler.ts")


def bundle(out):
    esbuild = os.path.join(ROOT, "node_modules", ".bin", "esbuild")
    subprocess.run(
        [
            esbuild, ENTRY, "--bundle", "--platform=node", "--format=esm", "--target=es2022", "--minify",
            "--sourcemap", "--splitting", "--external:@aws-sdk/*", "--out-extension:.js=.mjs", f"--outdir={out}",
            "--banner:js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
            "--log-level=warning",
        ],
        cwd=ROOT,
        check=True,
    )


def reproducible_zip(directory):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for base, _, names in sorted(os.walk(directory)):
            for name in sorted(names):
                path = os.path.join(base, name)
                info = zipfile.ZipInfo(os.path.relpath(path, directory).replace(os.sep, "/"), date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as f:
                    z.writestr(info, f.read())
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", metavar="DIR")
    args = parser.parse_args()
    with open(os.path.join(ROOT, "package.json"), encoding="utf-8") as f:
        version = json.load(f).get("version")
    if not isinstance(version, str) or not re.fullmatch(r"[0-9A-Za-z.-]+", version):
        raise SystemExit(f"package.json version {version!r} is not a version of letters, digits, dots and hyphens")
    with tempfile.TemporaryDirectory() as out:
        bundle(out)
        data = reproducible_zip(out)
    key = f"runtime-warden/{version}/org-digest-{hashlib.sha256(data).hexdigest()}.zip"
    target = os.path.join(args.directory, *key.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(data)
    sys.stdout.write(key + "\n")


if __name__ == "__main__":
    main()
