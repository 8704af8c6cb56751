#!/usr/bin/env python3
"""Fits the coefficients of HeuristicEstimator (Sources/LLMCostTokenizer/Estimation) on the
shared corpus.

The corpus files are cut into chunks of about CHUNK bytes at line boundaries; each chunk's
features (the same classes HeuristicEstimator.Features counts) are regressed, by least squares,
on its o200k_base token count from tiktoken. It prints the coefficients and the error band
(the 95th percentile of the absolute relative error over chunks) to paste into the Swift file.

  pip install tiktoken numpy
  scripts/tokenizer-calibrate-heuristic.py [../shared]
"""
import os, sys, unicodedata
import numpy as np

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared")
sys.path.insert(0, os.path.join(SHARED, "tools"))
from tiktoken_reference import encoding  # noqa: E402

CHUNK = 2000
OTHER_SCALAR_WEIGHT = 1.5
FEATURES = ["asciiWords", "asciiLetters", "digitGroups", "asciiSymbols", "newlines", "extraSpaces",
            "cjk", "otherLetters", "otherScalars"]


def is_cjk(v):
    return (0x2E80 <= v <= 0x9FFF or 0xAC00 <= v <= 0xD7AF or 0xF900 <= v <= 0xFAFF
            or 0xFF00 <= v <= 0xFFEF or 0x20000 <= v <= 0x3FFFF or 0x1100 <= v <= 0x11FF)


def features(text):
    f = dict.fromkeys(FEATURES, 0)
    in_word = False
    prev_space = False
    digit_run = 0
    for ch in text:
        v = ord(ch)
        is_letter = False
        if v < 0x80:
            if ch.isalpha():
                f["asciiLetters"] += 1
                if not in_word:
                    f["asciiWords"] += 1
                is_letter = True
            elif ch.isdigit():
                # Numbers split into groups of up to three digits.
                if digit_run % 3 == 0:
                    f["digitGroups"] += 1
            elif ch == "\n":
                f["newlines"] += 1
            elif ch in " \t\r":
                if prev_space:
                    f["extraSpaces"] += 1
            else:
                f["asciiSymbols"] += 1
        elif is_cjk(v):
            f["cjk"] += 1
        elif unicodedata.category(ch)[0] in "LM":
            f["otherLetters"] += 1
        else:
            f["otherScalars"] += 1
        in_word = is_letter
        digit_run = digit_run + 1 if ch.isascii() and ch.isdigit() else 0
        prev_space = ch in " \t\r\n"
    return [f[name] for name in FEATURES]


def chunks(text):
    out, current = [], []
    size = 0
    for line in text.splitlines(keepends=True):
        current.append(line)
        size += len(line.encode())
        if size >= CHUNK:
            out.append("".join(current))
            current, size = [], 0
    if current:
        out.append("".join(current))
    return out


def main():
    enc = encoding("o200k_base")
    corpus = os.path.join(SHARED, "corpus")
    rows, counts = [], []
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".txt"):
            continue
        for piece in chunks(open(os.path.join(corpus, name), encoding="utf-8").read()):
            rows.append(features(piece))
            counts.append(len(enc.encode_ordinary(piece)))
    x, y = np.array(rows, dtype=float), np.array(counts, dtype=float)
    # The corpus holds too few emoji and symbols to fit their weight, so it is fixed from
    # tiktoken's behaviour (an emoji or symbol is one to two o200k tokens) and the rest fitted.
    other = FEATURES.index("otherScalars")
    fitted, *_ = np.linalg.lstsq(np.delete(x, other, axis=1), y - OTHER_SCALAR_WEIGHT * x[:, other], rcond=None)
    coef = np.insert(fitted, other, OTHER_SCALAR_WEIGHT)
    estimate = x @ coef
    rel = np.abs(estimate - y) / np.maximum(y, 1)
    print(f"chunks: {len(y)}")
    for name, value in zip(FEATURES, coef):
        print(f"  {name}: {value:.4f}")
    print(f"relative error: median {np.median(rel):.3f}, p95 {np.percentile(rel, 95):.3f}, max {rel.max():.3f}")


if __name__ == "__main__":
    main()
