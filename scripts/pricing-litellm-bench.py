#!/usr/bin/env python3
"""Time LiteLLM's cost_per_token for the usage `llm-cost-bench pricing` prices.

Reference tool only (needs `pip install litellm`); never a runtime dependency. Uses the shared
price map (../shared/pricing-reference) so no network is touched. Prints one JSON line.
"""
import importlib.metadata
import json
import os
import sys
import time

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
import litellm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MAP = os.path.join(HERE, "..", "..", "shared", "pricing-reference", "litellm-model-prices.json")


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    with open(MAP) as handle:
        litellm.model_cost = json.load(handle)
    # The same four calls the Swift benchmark cycles through (LiteLLM's prompt_tokens include cache tokens).
    calls = [
        dict(model="claude-sonnet-4-5-20250929", prompt_tokens=1200 + 3000 + 200, completion_tokens=280,
             cache_read_input_tokens=3000, cache_creation_input_tokens=200),
        dict(model="gpt-4o", prompt_tokens=5000, completion_tokens=700, cache_read_input_tokens=1000),
        dict(model="gemini/gemini-2.5-pro", prompt_tokens=250000, completion_tokens=1000),
        dict(model="deepseek/deepseek-chat", prompt_tokens=900, completion_tokens=120),
    ]
    for call in calls:  # warm caches, and fail early on a model LiteLLM does not know
        litellm.cost_per_token(**call)
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for index in range(iterations):
            litellm.cost_per_token(**calls[index % 4])
        samples.append((time.perf_counter() - start) / iterations)
    samples.sort()
    print(json.dumps({"tool": "litellm.cost_per_token", "version": importlib.metadata.version("litellm"),
                      "iterations": iterations, "median_us": samples[2] * 1e6, "best_us": samples[0] * 1e6}))


if __name__ == "__main__":
    main()
