"""Turns a `sam package` output into a template a service-managed StackSet can deploy.

Service-managed StackSets do not run macros, AWS::Serverless included, so the SAM transform runs
here, with the SAM translator itself. And a Lambda function's code must sit in a bucket of its own
region: every function's Code.S3Bucket `<prefix>-<region>` becomes `<prefix>-${AWS::Region}`, so
one template serves every region whose bucket holds a copy of the artifacts.

Usage: .venv/bin/python scripts/stackset-template.py PACKAGED_TEMPLATE BUCKET_PREFIX > stackset.json
"""

import json
import os
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The template names no managed policies, so none need looking up in IAM."""

    def load(self):
        return {}


def main(path, prefix):
    # The translator wants a region for its pseudo parameters; the template refers to
    # ${AWS::Region} wherever it matters, and the test checks that none is baked in.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    out = transform(template, {}, NoManagedPolicies())
    for logical_id, resource in out.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        code = resource.get("Properties", {}).get("Code", {})
        bucket = code.get("S3Bucket")
        if not isinstance(bucket, str) or not bucket.startswith(prefix + "-"):
            raise SystemExit(f"{logical_id}: code bucket {bucket!r} is not {prefix}-<region>: package with --s3-bucket {prefix}-<region>")
        code["S3Bucket"] = {"Fn::Sub": prefix + "-${AWS::Region}"}
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
