#!/usr/bin/env python3
"""Cross-check llm-cost's prices and costs against LiteLLM.

For every model in the table (entry in force at --at), price the same usages with
`llm-cost cost` and with LiteLLM's `cost_per_token` over the shared price map
(../shared/pricing-reference/litellm-model-prices.json), and print which models agree and,
for the others, which price differs. Reference tool only: needs `pip install litellm`.

LiteLLM's prompt_tokens INCLUDES cache reads and writes; llm-cost's --input is uncached only.
"""
import argparse
import importlib.metadata
import json
import os
import subprocess
import sys

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
import litellm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAP = os.path.join(ROOT, "..", "shared", "pricing-reference", "litellm-model-prices.json")
PREFIX = {"anthropic": "", "openai": "", "google": "gemini/", "mistral": "mistral/", "deepseek": "deepseek/", "xai": "xai/"}

# One usage per price (100k tokens: under every long-context threshold), a long prompt
# (300k: above the 128k / 200k / 272k tiers), and a mixed call:
# (uncached input, output, cache_read, cache_write_5m).
PROBES = {
    "input": (100_000, 0, 0, 0),
    "output": (0, 100_000, 0, 0),
    "cache_read": (0, 0, 100_000, 0),
    "cache_write_5m": (0, 0, 0, 100_000),
    "long_context": (300_000, 1_000, 0, 0),
    "mixed": (1234, 567, 8901, 234),
}


def binary() -> str:
    for build in ("release", "debug"):
        path = os.path.join(ROOT, ".build", build, "llm-cost")
        if os.path.exists(path):
            return path
    sys.exit("build llm-cost first (swift build -c release)")


def ours(tool, provider, model, at, usage):
    uncached, output, read, write = usage
    result = subprocess.run(
        [tool, "cost", "--provider", provider, "--model", model, "--at", at, "--format", "json",
         "--input", str(uncached), "--output", str(output), "--cache-read", str(read), "--cache-write-5m", str(write)],
        capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return float(json.loads(result.stdout)["cost_usd"])


def theirs(key, usage):
    uncached, output, read, write = usage
    prompt, completion = litellm.cost_per_token(
        model=key, prompt_tokens=uncached + read + write, completion_tokens=output,
        cache_read_input_tokens=read, cache_creation_input_tokens=write)
    return prompt + completion


def close(a, b):
    return abs(a - b) <= 1e-12 + 1e-9 * max(abs(a), abs(b))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", default="2026-11-01", help="price entries in force at this date")
    args = parser.parse_args()
    with open(MAP) as handle:
        litellm.model_cost = json.load(handle)
    tool = binary()
    listing = subprocess.run([tool, "pricing", "list", "--format", "json", "--at", args.at],
                             capture_output=True, text=True, check=True)
    agree, differ, missing = [], [], []
    for row in json.loads(listing.stdout):
        provider, model = row["provider"], row["model"]
        if provider not in PREFIX or row["entry"] is None:
            continue
        keys = [PREFIX[provider] + name for name in [model] + row["aliases"]]
        key = next((k for k in keys if k in litellm.model_cost), None)
        if key is None:
            missing.append(f"{provider}/{model}")
            continue
        fields = []
        for name, usage in PROBES.items():
            mine = ours(tool, provider, model, args.at, usage)
            try:
                other = theirs(key, usage)
            except Exception as error:  # LiteLLM raises for keys it cannot price
                fields.append(f"{name}: LiteLLM error {error.__class__.__name__}")
                continue
            if mine is None or not close(mine, other):
                fields.append(f"{name} ours {mine} vs LiteLLM {other:.9f}")
        (differ if fields else agree).append((f"{provider}/{model}", key, fields))
    print(f"# prices in force at {args.at}; LiteLLM map {os.path.relpath(MAP, ROOT)}; litellm {importlib.metadata.version('litellm')}")
    print(f"\nsame cost as LiteLLM cost_per_token for every probe ({len(agree)}):")
    for name, key, _ in agree:
        print(f"  {name}" + ("" if key.endswith(name.split('/', 1)[1]) else f"  (as {key})"))
    print(f"\ndiffer ({len(differ)}):")
    for name, key, fields in differ:
        print(f"  {name}  (LiteLLM key {key})")
        for field in fields:
            print(f"      {field}")
    print(f"\nnot in LiteLLM's map ({len(missing)}): " + ", ".join(missing))


if __name__ == "__main__":
    main()
