#!/usr/bin/env python3
"""The official OpenAI and Anthropic SDKs as clients of `llm-cost proxy`, for its tests.

    proxy_sdk_client.py MODE BASE_URL [AGENT]

Prints one JSON line: what the SDK returned (text, usage as the SDK parsed it), or the
error it raised, and how many HTTP requests it sent. Exits 77 when an SDK is missing
(`pip install openai anthropic`).
"""
import json
import sys

try:
    import anthropic
    import openai
    try:
        import httpx2 as httpx  # the SDKs' HTTP client from their 2026 releases on
    except ImportError:
        import httpx
except ImportError as missing:  # the test says the SDKs are missing, and skips
    print(f"missing SDK: {missing}", file=sys.stderr)
    sys.exit(77)


def main() -> None:
    mode, base = sys.argv[1], sys.argv[2]
    agent = sys.argv[3] if len(sys.argv) > 3 else "sdk"
    sent = []
    http = httpx.Client(event_hooks={"request": [lambda request: sent.append(request.url.path)]})
    headers = {"x-llm-cost-agent": agent, "x-llm-cost-session": f"sdk-{mode}", "x-llm-cost-tags": f"client=python,mode={mode}"}
    out = {"mode": mode}
    try:
        if mode.startswith("anthropic"):
            client = anthropic.Anthropic(base_url=base, api_key="sk-ant-test-key", http_client=http, default_headers=headers)
            messages = [{"role": "user", "content": "Name three colours of the rainbow"}]
            if mode == "anthropic-stream":
                with client.messages.stream(model="claude-sonnet-4-5", max_tokens=64, messages=messages) as stream:
                    text = "".join(stream.text_stream)
                    final = stream.get_final_message()
            else:
                final = client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=messages)
                text = "".join(block.text for block in final.content if block.type == "text")
            out.update(text=text, input_tokens=final.usage.input_tokens, output_tokens=final.usage.output_tokens, id=final.id)
        else:
            client = openai.OpenAI(base_url=base, api_key="sk-openai-test-key", http_client=http, default_headers=headers)
            messages = [{"role": "user", "content": "Name three colours of the rainbow"}]
            if mode == "openai-stream":
                chunks = client.chat.completions.create(
                    model="gpt-4o-mini", messages=messages, max_tokens=64, stream=True, stream_options={"include_usage": True})
                text, usage = "", None
                for chunk in chunks:
                    if chunk.choices and chunk.choices[0].delta.content:
                        text += chunk.choices[0].delta.content
                    if chunk.usage:
                        usage = chunk.usage
                out.update(text=text, input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens)
            elif mode == "openai-stream-plain":
                # No stream_options: the proxy asks for usage itself and must not hand this
                # client the usage-only chunk it never asked for.
                chunks = client.chat.completions.create(model="gpt-4o-mini", messages=messages, max_tokens=64, stream=True)
                text, usage_chunks = "", 0
                for chunk in chunks:
                    if not chunk.choices:
                        usage_chunks += 1
                    elif chunk.choices[0].delta.content:
                        text += chunk.choices[0].delta.content
                out.update(text=text, usage_chunks=usage_chunks)
            elif mode.startswith("openai-concurrent-"):
                # N streams at once, each its own session: all must arrive whole and be recorded.
                from concurrent.futures import ThreadPoolExecutor

                count = int(mode.rsplit("-", 1)[1])

                def one(index):
                    with_session = client.with_options(default_headers={**headers, "x-llm-cost-session": f"concurrent-{index}"})
                    chunks = with_session.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": f"stream number {index}"}], max_tokens=64, stream=True,
                        extra_headers={"x-simulator-scenario": "slow"})
                    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)

                with ThreadPoolExecutor(max_workers=count) as pool:
                    texts = list(pool.map(one, range(count)))
                out.update(text=texts[0], complete=sum(1 for i, t in enumerate(texts) if t.endswith(f"stream number {i}")))
            elif mode == "openai-responses":
                response = client.responses.create(model="gpt-4o-mini", input="Name three colours of the rainbow", max_output_tokens=64)
                out.update(text=response.output_text, input_tokens=response.usage.input_tokens, output_tokens=response.usage.output_tokens)
            else:
                completion = client.chat.completions.create(model="gpt-4o-mini", messages=messages, max_tokens=64)
                out.update(
                    text=completion.choices[0].message.content, input_tokens=completion.usage.prompt_tokens,
                    output_tokens=completion.usage.completion_tokens)
    except (anthropic.APIStatusError, openai.APIStatusError) as error:
        body = error.body if isinstance(error.body, dict) else None
        out.update(error=type(error).__name__, status=error.status_code, body=body,
                   should_retry=error.response.headers.get("x-should-retry"))
    out["requests"] = len(sent)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
