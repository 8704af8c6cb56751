#!/usr/bin/env python3
"""The reference side of the TOML differential test (Tests/LLMCostTOMLTests/DifferentialTests.swift):
parses documents with Python's tomllib (TOML 1.0, stdlib since 3.11) and prints each one's
value tree in a canonical JSON form, or an error marker.

  scripts/toml-differential.py FILE_OR_FOLDER...

A folder stands for its files, in name order. One line per document:

  NAME<TAB>{"key":["integer","1"],...}     the document's table
  NAME<TAB>!error MESSAGE                   not valid TOML

Canonical form (the Swift test writes the same): a table is a JSON object with keys sorted by
code point; an array is ["array", [...]]; every other value is [TYPE, TEXT] with TYPE one of
string, integer, float, bool, datetime (with offset), datetime-local, date-local, time-local.
Floats are their written text without underscores (tomllib hands that text to parse_float),
times keep at most 6 fraction digits (tomllib keeps microseconds), offsets are +HH:MM.

Where tomllib accepts what our reader deliberately refuses, this script refuses too, so the two
agree by construction only on these documented points: integers outside the signed 64-bit range
and nesting deeper than 128 levels (LLMCostTOML's limits, which the TOML spec permits). It also
skips a leading UTF-8 byte order mark, as our reader does.
"""
import datetime
import json
import os
import sys
import tomllib

MAXIMUM_DEPTH = 128
INT64 = range(-(2**63), 2**63)


class FloatText(str):
    """A float as tomllib matched it, kept apart from strings."""


class Refused(Exception):
    pass


def fraction(microseconds):
    return f".{microseconds:06d}" if microseconds else ""


def clock(value):
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}" + fraction(value.microsecond)


def canonical(value, depth):
    if depth > MAXIMUM_DEPTH:
        raise Refused(f"nesting deeper than {MAXIMUM_DEPTH}")
    if isinstance(value, dict):
        return {key: canonical(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return ["array", [canonical(item, depth + 1) for item in value]]
    if isinstance(value, FloatText):
        return ["float", value.replace("_", "")]
    if isinstance(value, str):
        return ["string", value]
    if isinstance(value, bool):
        return ["bool", "true" if value else "false"]
    if isinstance(value, int):
        if value not in INT64:
            raise Refused("integer outside the 64-bit range")
        return ["integer", str(value)]
    if isinstance(value, datetime.datetime):
        day = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T" + clock(value)
        if value.tzinfo is None:
            return ["datetime-local", day]
        minutes = int(value.utcoffset().total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return ["datetime", day + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"]
    if isinstance(value, datetime.date):
        return ["date-local", f"{value.year:04d}-{value.month:02d}-{value.day:02d}"]
    if isinstance(value, datetime.time):
        return ["time-local", clock(value)]
    raise Refused(f"unexpected value {value!r}")


def describe(data):
    try:
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        tree = tomllib.loads(text, parse_float=FloatText)
        return json.dumps(canonical(tree, 0), sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, Refused, RecursionError) as error:
        return "!error " + " ".join(str(error).split())


def main(arguments):
    if not arguments:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    paths = []
    for argument in arguments:
        if os.path.isdir(argument):
            paths += [os.path.join(argument, name) for name in sorted(os.listdir(argument))]
        else:
            paths.append(argument)
    out = []
    for path in paths:
        with open(path, "rb") as handle:
            out.append(os.path.basename(path) + "\t" + describe(handle.read()))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
