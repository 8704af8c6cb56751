#!/usr/bin/env python3
"""Differential test: the Swift tokenizer (`llm-cost tokens --ids`) against tiktoken 0.14.0
(through ../shared/tools/tiktoken_reference.py) on random strings heavy in Unicode categories,
digits, whitespace runs, contractions, emoji sequences and mixed scripts.

  pip install tiktoken
  scripts/tokenizer-differential.py [--binary .build/debug/llm-cost] [--count 3000] [--seed 1]

Exits 0 when every string encodes to the same ids in every encoding, 1 on any mismatch
(printing the first few), 77 when tiktoken is not installed (a "skipped" status for CI).
"""
import argparse, json, os, random, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
ENCODINGS = ["cl100k_base", "o200k_base", "p50k_base"]

FRAGMENTS = [
    # Latin words in every case shape, and contractions (with the long s that (?i) folds to s).
    "hello", "World", "HELLO", "CamelCase", "snake_case", "x", "I", "ǅemal", "ǈ", "ᾈ",
    "'s", "'S", "'t", "'re", "'RE", "'ve", "'Ve", "'m", "'ll", "'LL", "'d", "'D", "'ſ", "'x", "'",
    "don't", "I'M", "we'Re", "it'ſ",
    # Numbers of every kind.
    "1", "12", "123", "1234", "12345678", "3.14", "-42", "1,000", "½", "²", "Ⅻ", "٣٤٥", "߁߂", "𝟘𝟙",
    # Whitespace: runs, newlines, CR, Unicode spaces, line/paragraph separators.
    " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "\u00a0", "\u3000", "\u2028",
    "\u2029", "\x0b", "\x0c", "\x85", "\u200b", "\u2009", "\u1680", "    ",
    # Punctuation and symbols, slashes (o200k keeps [\r\n/]* after punctuation).
    "!", "?!", "...", "//", "/", "<|endoftext|>", "<|fim_prefix|>", "{\"k\": [1]}", "#", "@", "→",
    "€", "©", "™", "\\", "```", "--", "==", "(", ")", ";",
    # Scripts: Greek, Cyrillic, CJK, kana, Hangul, Arabic, Hebrew, Devanagari, Thai, Georgian.
    "Ελληνικά", "Русский", "日本語", "中文", "ひらがな", "カタカナ", "한국어", "العربية", "עברית",
    "हिन्दी", "ภาษาไทย", "ქართული", "Ǆ", "ß", "ﬁ",
    # Marks: combining accents alone and after letters; modifier letters.
    "e\u0301", "\u0301", "\u0301\u0302", "a\u20dd", "ʰ", "ˈ", "ー", "々",
    # Emoji: plain, skin tones, ZWJ families, flags, keycaps, variation selectors.
    "🙂", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🇺🇳", "🇫🇷🇩🇪", "1\ufe0f\u20e3", "❤\ufe0f", "🏳️\u200d🌈",
    # Supplementary letters (math alphanumerics, CJK extension B).
    "𝐀𝐁𝐂", "𝒶𝒷", "𠀀𠀁",
    # ASCII runs read eight bytes at a time: the bytes beside each class range, long runs,
    # runs that go on in non-ASCII letters, and words of every length up to and past eight.
    "@a`z{A[Z", "/0:9", "0123456789012", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "mIxEdCaSeWoRdS", "résumé", "naïveté", "STRAßE", "Ωmega", "abcdefgé", "ABCDEFGÉ", "a", "ab", "abcdefg",
    "abcdefgh", "abcdefghi", "internationalization",
]


def random_scalar(rng):
    while True:
        value = rng.choice([rng.randrange(0x20, 0x250), rng.randrange(0x250, 0x3000),
                            rng.randrange(0x3000, 0xFFFF), rng.randrange(0x10000, 0x2FFFF)])
        if not 0xD800 <= value <= 0xDFFF:
            return chr(value)


def random_text(rng):
    parts = []
    for _ in range(rng.randint(1, 30)):
        roll = rng.random()
        if roll < 0.75:
            parts.append(rng.choice(FRAGMENTS))
        elif roll < 0.85:
            parts.append(random_scalar(rng))
        elif roll < 0.95:
            parts.append(rng.choice(" \t\n") * rng.randint(2, 12))
        else:
            parts.append(rng.choice(FRAGMENTS) * rng.randint(2, 40))
    return "".join(parts)


def sweep_texts():
    """Every scalar (surrogates aside) in contexts that expose its class to each pattern:
    \\p{L} or not, upper/lower case group, \\p{N}, \\s, and the contraction after it."""
    texts, block = [], []
    for value in range(0x20, 0x110000):
        if 0xD800 <= value <= 0xDFFF:
            continue
        c = chr(value)
        block.append(f"{c}'s a{c}A {c}1x{c}{c} \n{c}b {c}  ")
        if len(block) == 2048:
            texts.append("".join(block))
            block = []
    texts.append("".join(block))
    return texts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "llm-cost"))
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sweep", action="store_true",
                        help="also put every Unicode scalar in letter, case, digit and space contexts")
    args = parser.parse_args()
    try:
        import tiktoken  # noqa: F401
    except ImportError:
        print("tiktoken is not installed (pip install tiktoken): skipped")
        return 77
    sys.path.insert(0, os.path.join(SHARED, "tools"))
    from tiktoken_reference import encoding

    rng = random.Random(args.seed)
    texts = [random_text(rng) for _ in range(args.count)]
    # Long texts too (100 strings joined, 4 KB and more), which take the piece-memo path.
    texts += ["".join(texts[i:i + 100]) for i in range(0, len(texts), 100)]
    if args.sweep:
        texts += sweep_texts()
    env = dict(os.environ, LLM_COST_TOKENIZERS=os.path.join(SHARED, "tokenizers"))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="tokenizer-differential-") as folder:
        paths = []
        for index, text in enumerate(texts):
            path = os.path.join(folder, f"{index}.txt")
            with open(path, "wb") as f:
                f.write(text.encode("utf-8"))
            paths.append(path)
        for name in ENCODINGS:
            reference = encoding(name)
            ours = {}
            for start in range(0, len(paths), 500):
                batch = paths[start:start + 500]
                out = subprocess.run([args.binary, "tokens", "--encoding", name, "--ids", "--format", "json", *batch],
                                     env=env, check=True, capture_output=True).stdout
                for entry in json.loads(out)["inputs"]:
                    ours[entry["path"]] = entry["ids"]
            mismatches = 0
            for path, text in zip(paths, texts):
                expected = reference.encode_ordinary(text)
                if ours[path] != expected:
                    mismatches += 1
                    if mismatches <= 5:
                        print(f"{name} MISMATCH {text!r}\n  tiktoken {expected}\n  swift    {ours[path]}")
            print(f"{name}: {len(texts) - mismatches}/{len(texts)} random strings equal")
            failures += mismatches
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
