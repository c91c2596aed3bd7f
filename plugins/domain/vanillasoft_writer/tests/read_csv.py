#!/usr/bin/env python3
"""Reads a CSV file with Python's csv module (a real RFC 4180 reader) and prints its rows as one
JSON array of arrays of strings, so a test can compare them with what it wrote.

    read_csv.py FILE
"""
import csv
import json
import sys


def main() -> int:
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    json.dump(rows, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
