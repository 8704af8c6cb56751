#!/bin/sh
# Regenerates pricing/litellm-snapshot.tsv, the LiteLLM map snapshot the binary carries, with the
# converter `llm-cost pricing update` uses (one converter for both), then rebuilds so the binary
# embeds it.
#
#   scripts/pricing-litellm-snapshot.sh MAP.json YYYY-MM-DD
#
# MAP.json is LiteLLM's model_prices_and_context_window.json; the date is the day it was taken
# (it labels every call the snapshot prices). For the shared reference map:
#   scripts/pricing-litellm-snapshot.sh ../shared/pricing-reference/litellm-model-prices.json 2026-11-20
set -eu
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
    echo "usage: $0 MAP.json YYYY-MM-DD" >&2
    exit 2
fi
swift build --product llm-cost
.build/debug/llm-cost pricing update --litellm "$1" --date "$2" --output pricing/litellm-snapshot.tsv
swift build --product llm-cost
.build/debug/llm-cost pricing validate
