#!/usr/bin/env python3
"""check_expected.py EXPECT.jsonl OBSERVATIONS.jsonl — fails (exit 1, listing
them) unless every {"ip","signal","value"} the capture generator expected is
among the observations camaudit wrote."""
import json
import sys


def main():
    expected = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    got = {(o["ip"], o["signal"], o["value"]) for o in map(json.loads, open(sys.argv[2]))}
    missing = [e for e in expected if (e["ip"], e["signal"], e["value"]) not in got]
    for e in missing:
        print("missing observation: %s %s %r" % (e["ip"], e["signal"], e["value"][:120]))
    if not expected:
        print("no expectations given")
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
