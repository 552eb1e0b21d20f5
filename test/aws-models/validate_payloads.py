"""Validates API payloads against AWS's published models, for the test suite.

Reads a JSON list on stdin; each item is either
  {"id": ..., "api": "service.Operation", "params": {...}}   -> botocore's service model and its
      ParamValidator (the check every AWS SDK for Python call makes before it is sent), or
  {"id": ..., "resource": "AWS::X::Y", "property": "Name", "value": ...} -> the property's schema in
      the CloudFormation resource provider schema that cfn-lint ships (us-east-1).
Writes a JSON list of {"id", "errors": [str]} to stdout. Exit 0 unless the input is unusable.
"""
import json
import sys

import botocore.session
import jsonschema
from botocore.validate import ParamValidator
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

session = botocore.session.get_session()
validator = ParamValidator()


def api_errors(api, params):
    service, operation = api.split(".")
    model = session.get_service_model(service).operation_model(operation)
    report = validator.validate(params, model.input_shape)
    return [line.strip() for line in report.generate_report().splitlines() if line.strip() and not line.startswith("Parameter validation failed")]


def resource_errors(resource, prop, value):
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource).schema
    sub = {"definitions": schema.get("definitions", {}), **schema["properties"][prop]}
    cls = jsonschema.validators.validator_for(sub)
    return [f"{'.'.join(map(str, e.absolute_path)) or prop}: {e.message}" for e in cls(sub).iter_errors(value)]


results = []
for item in json.load(sys.stdin):
    if "api" in item:
        errors = api_errors(item["api"], item["params"])
    else:
        errors = resource_errors(item["resource"], item["property"], item["value"])
    results.append({"id": item["id"], "errors": errors})
json.dump(results, sys.stdout)
