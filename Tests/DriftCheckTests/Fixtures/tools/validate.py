#!/usr/bin/env python3
"""Validates driftcheck outputs with independent, standard parsers (used by the Swift tests).

    validate.py report FILE SCHEMA   JSON report against the JSON Schema (python-jsonschema)
    validate.py prometheus FILE      Prometheus text exposition (prometheus_client's parser); prints metric names
    validate.py junit FILE           JUnit XML (xml.etree); prints "tests failures"
    validate.py ndjson FILE          one JSON object per line with event/host/image/time; prints the event count
Exit 0 when valid; 1 with the reason on stderr otherwise.
"""
import json
import sys


def main():
    kind, path = sys.argv[1], sys.argv[2]
    text = open(path, encoding="utf-8").read()
    if kind == "report":
        import jsonschema
        schema = json.load(open(sys.argv[3], encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema).validate(json.loads(text))
        print("valid")
    elif kind == "prometheus":
        from prometheus_client.parser import text_string_to_metric_families
        names = []
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                names.append(f"{sample.name} {json.dumps(sample.labels, sort_keys=True)} {sample.value}")
        print("\n".join(names))
    elif kind == "junit":
        import xml.etree.ElementTree as ET
        root = ET.fromstring(text)
        cases = root.findall(".//testcase")
        failures = root.findall(".//testcase/failure")
        assert root.tag == "testsuites", root.tag
        assert int(root.get("tests")) == len(cases), "tests attribute"
        assert int(root.get("failures")) == len(failures), "failures attribute"
        print(len(cases), len(failures))
    elif kind == "ndjson":
        count = 0
        for line in text.splitlines():
            event = json.loads(line)
            for key in ("event", "host", "image", "time"):
                assert key in event, f"missing {key}"
            if event["event"] == "drift":
                assert event["severity"] in ("critical", "high", "medium", "low", "info")
            count += 1
        print(count)
    else:
        raise SystemExit(f"unknown kind {kind}")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - any failure is a validation failure
        message = getattr(error, "message", None) or str(error)
        print(f"{type(error).__name__}: {message}", file=sys.stderr)
        sys.exit(1)
