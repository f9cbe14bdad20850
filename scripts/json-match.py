#!/usr/bin/env python3
"""Compare two JSON files as the conformance vectors are compared: as values, with the
placeholders "<uuid>" and "<string>" in the expected file.  Exit 0 on match."""
import json
import re
import sys

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)


def match(expected, actual, path="$"):
    if isinstance(expected, str):
        if expected == "<string>" and isinstance(actual, str):
            return None
        if expected == "<uuid>" and isinstance(actual, str) and UUID.match(actual):
            return None
        return None if expected == actual else f"{path}: expected {expected!r:.60}, got {actual!r:.60}"
    if isinstance(expected, bool) or expected is None:
        return None if expected is actual else f"{path}: expected {expected}, got {actual}"
    if isinstance(expected, (int, float)):
        ok = isinstance(actual, (int, float)) and not isinstance(actual, bool) and expected == actual
        return None if ok else f"{path}: expected {expected}, got {actual}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(expected) != set(actual):
            return f"{path}: members differ"
        for key in expected:
            problem = match(expected[key], actual[key], f"{path}.{key}")
            if problem:
                return problem
        return None
    if not isinstance(actual, list) or len(actual) != len(expected):
        return f"{path}: array lengths differ"
    for i, (e, a) in enumerate(zip(expected, actual)):
        problem = match(e, a, f"{path}[{i}]")
        if problem:
            return problem
    return None


with open(sys.argv[1], encoding="utf-8") as f:
    expected = json.load(f)
with open(sys.argv[2], encoding="utf-8") as f:
    try:
        actual = json.load(f)
    except ValueError as error:
        print(f"not JSON: {error}", file=sys.stderr)
        sys.exit(1)
problem = match(expected, actual)
if problem:
    print(problem, file=sys.stderr)
sys.exit(1 if problem else 0)
