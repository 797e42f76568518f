#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count KUnit test cases in kunit.py --json files.

Prints "PASSED FAILED SKIPPED" summed over all files. Each leaf counts once
(a parameterised test counts each parameter, like kunit.py's own summary);
ERROR (a crashed test) counts as failed.
"""
import json
import sys


def count(group, totals):
    for sub in group.get("sub_groups", []):
        count(sub, totals)
    for case in group.get("test_cases", []):
        status = case.get("status")
        key = {"PASS": "passed", "SKIP": "skipped"}.get(status, "failed")
        totals[key] += 1


def main():
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            count(json.load(f), totals)
    print(totals["passed"], totals["failed"], totals["skipped"])


if __name__ == "__main__":
    main()
