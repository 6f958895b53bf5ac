"""Parses Prometheus text exposition (stdin) with the official Python client's parser (Debian's
python3-prometheus-client) and prints one JSON object per sample: family, type, help, sample name, labels, value.
A malformed exposition makes the parser raise, and this script exit non-zero."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        print(json.dumps({"family": family.name, "type": family.type, "help": family.documentation,
                          "name": s.name, "labels": s.labels, "value": s.value}))
