import { describe, expect, it } from "vitest";
import { ChunkAccumulator, replayChatStream, SseParser } from "./sse.js";

const completion = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1700000000,
  model: "gpt-4o-mini",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: "Let me check.",
        refusal: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  system_fingerprint: "fp_1",
};

function parse(text: string) {
  const parser = new SseParser();
  return parser.feed(text).map((e) => e.data!);
}

describe("SSE", () => {
  it("splits events across arbitrary byte boundaries and CRLF separators", () => {
    const parser = new SseParser();
    const text = 'data: {"a":1}\r\n\r\n: comment\n\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
    const events = [];
    for (let i = 0; i < text.length; i += 3) events.push(...parser.feed(text.slice(i, i + 3)));
    expect(events.map((e) => e.data)).toEqual(['{"a":1}', undefined, "line1\nline2", "[DONE]"]);
    expect(parser.flush()).toBeUndefined();
  });

  it("forwards event names, ids, comments and retry lines; flush gives an event cut before its blank line", () => {
    const parser = new SseParser();
    const events = parser.feed(
      "event: delta\r\nid: 7\r\ndata: a\r\ndata:b\r\n\r\n:ping\n\nretry: 500\n\ndata: [DONE]",
    );
    expect(events).toEqual([
      { raw: "id: 7\nevent: delta\ndata: a\ndata: b", data: "a\nb" },
      { raw: ": ping", data: undefined },
      { raw: "retry: 500", data: undefined },
    ]);
    expect(parser.flush()).toEqual({ raw: "data: [DONE]", data: "[DONE]" });
    expect(parser.flush()).toBeUndefined();
    expect(parser.feed("data: x\n")).toEqual([]);
    expect(parser.flush()).toEqual({ raw: "data: x", data: "x" });
  });

  it("replays a completion as chunks that add back up to the same completion", () => {
    const text = replayChatStream(completion, true);
    const data = parse(text);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: completion.usage });
    const acc = new ChunkAccumulator();
    for (const c of chunks) acc.add(c);
    expect(acc.completion()).toEqual(completion);
  });

  it("omits the usage chunk unless asked, and rebuilds streamed tool-call deltas", () => {
    const data = parse(replayChatStream(completion, false));
    expect(data.some((d) => d.includes('"usage"'))).toBe(false);
    const acc = new ChunkAccumulator();
    const head = { id: "x", object: "chat.completion.chunk", created: 1, model: "m" };
    acc.add({ ...head, choices: [{ index: 0, delta: { role: "assistant", content: "" } }] });
    acc.add({
      ...head,
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [{ index: 0, id: "c", type: "function", function: { name: "f", arguments: "" } }],
          },
        },
      ],
    });
    acc.add({
      ...head,
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] } }],
    });
    acc.add({
      ...head,
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ":1}" } }] } }],
    });
    acc.add({ ...head, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] });
    const built = acc.completion() as {
      choices: Array<{ message: { tool_calls: unknown[] }; finish_reason: string }>;
    };
    expect(built.choices[0]!.message.tool_calls).toEqual([
      { id: "c", type: "function", function: { name: "f", arguments: '{"a":1}' } },
    ]);
    expect(built.choices[0]!.finish_reason).toBe("tool_calls");
  });
});
