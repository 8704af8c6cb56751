#!/usr/bin/env python3
"""The reference side of the TOML differential test (Tests/LLMCostTOMLTests/DifferentialTests.swift):
parses documents with Python's tomllib (TOML 1.0, stdlib since 3.11) and prints each one's
value tree in a canonical JSON form, or an error marker.

  scripts/toml-differential.py FILE_OR_FOLDER...
  scripts/toml-differential.py --bundle FILE

A folder stands for its files, in name order. A bundle holds many documents in one file (one
file write instead of thousands): records of a header line "NAME LENGTH" then LENGTH bytes and
a newline. One line per document:

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


def bundle(path):
    """The (name, bytes) records of a bundle file."""
    with open(path, "rb") as handle:
        data = handle.read()
    position = 0
    while position < len(data):
        end = data.index(b"\n", position)
        name, length = data[position:end].decode().rsplit(" ", 1)
        start = end + 1
        yield name, data[start : start + int(length)]
        position = start + int(length) + 1


def main(arguments):
    if not arguments or arguments == ["--bundle"]:
        print("\n".join(__doc__.strip().splitlines()[4:6]), file=sys.stderr)
        return 2
    documents = []
    if arguments[0] == "--bundle":
        for path in arguments[1:]:
            documents += bundle(path)
    else:
        for argument in arguments:
            paths = [os.path.join(argument, name) for name in sorted(os.listdir(argument))] if os.path.isdir(argument) else [argument]
            for path in paths:
                with open(path, "rb") as handle:
                    documents.append((os.path.basename(path), handle.read()))
    out = [name + "\t" + describe(data) for name, data in documents]
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
