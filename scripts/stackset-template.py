"""Turns a `sam package` output into a template a service-managed StackSet can deploy.

Service-managed StackSets do not run macros, AWS::Serverless included, so the SAM transform runs
here, with the SAM translator itself. And a Lambda function's code must sit in a bucket of its own
region: every function's Code.S3Bucket `<prefix>-<region>` becomes `<prefix>-${AWS::Region}`, so
one template serves every region whose bucket holds a copy of the artifacts.

With --release DIR, the template is written as a release instead: to DIR/<key>, where <key> is
runtime-warden/<version>/stackset-<sha256 of the template>.json, and the script prints the URL of
that key in the bucket the code was packaged to (`aws s3 sync DIR s3://<that bucket>` uploads it).
The URL is the StackSet's MemberTemplateUrl.

Usage: .venv/bin/python scripts/stackset-template.py PACKAGED_TEMPLATE BUCKET_PREFIX > stackset.json
       .venv/bin/python scripts/stackset-template.py --release DIR PACKAGED_TEMPLATE BUCKET_PREFIX
"""

import argparse
import hashlib
import json
import os
import re
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The template names no managed policies, so none need looking up in IAM."""

    def load(self):
        return {}


def stackset_template(path, prefix):
    """The transformed template, and the one bucket `sam package` put the code in."""
    # The translator wants a region for its pseudo parameters; the template refers to
    # ${AWS::Region} wherever it matters, and the test checks that none is baked in.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    out = transform(template, {}, NoManagedPolicies())
    buckets = set()
    for logical_id, resource in out.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        code = resource.get("Properties", {}).get("Code", {})
        bucket = code.get("S3Bucket")
        if not isinstance(bucket, str) or not bucket.startswith(prefix + "-"):
            raise SystemExit(f"{logical_id}: code bucket {bucket!r} is not {prefix}-<region>: package with --s3-bucket {prefix}-<region>")
        buckets.add(bucket)
        code["S3Bucket"] = {"Fn::Sub": prefix + "-${AWS::Region}"}
    if len(buckets) > 1:
        raise SystemExit(f"code in several buckets ({', '.join(sorted(buckets))}): package once, with one --s3-bucket")
    return out, buckets.pop() if buckets else None


def release(out, bucket, prefix, directory, text):
    """Writes a release of the template and returns its URL.

    CloudFormation updates only what differs from the current template ("Understand update
    behaviors of stack resources"): a StackSet handed the same TemplateURL again sees no change,
    whatever the object there now holds. A key per template content makes every different build a
    new URL, and the same build the same URL (nothing to roll out, nothing overwritten with
    something else, so a rollback reads what the previous release was).
    """
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "package.json"), encoding="utf-8") as f:
        version = json.load(f).get("version")
    if not isinstance(version, str) or not re.fullmatch(r"[0-9A-Za-z.-]+", version):
        raise SystemExit(f"package.json version {version!r} is not a version of letters, digits, dots and hyphens")
    if bucket is None:
        raise SystemExit("the template has no packaged function code, so no bucket to release to")
    region = bucket[len(prefix) + 1:]
    key = f"runtime-warden/{version}/stackset-{hashlib.sha256(text.encode('utf-8')).hexdigest()}.json"
    target = os.path.join(directory, *key.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    # Virtual-hosted-style URL of the object (S3 User Guide, "Virtual hosting of general purpose
    # buckets"); the China regions answer under amazonaws.com.cn.
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{bucket}.s3.{region}.{suffix}/{key}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", metavar="DIR", help="write a release under DIR and print its URL")
    parser.add_argument("packaged_template")
    parser.add_argument("bucket_prefix")
    args = parser.parse_args()
    out, bucket = stackset_template(args.packaged_template, args.bucket_prefix)
    text = json.dumps(out, indent=2) + "\n"
    if args.release is None:
        sys.stdout.write(text)
    else:
        print(release(out, bucket, args.bucket_prefix, args.release, text))


if __name__ == "__main__":
    main()
