import type { Request } from "express";
import { describe, expect, it } from "vitest";
import { requestCallOptions } from "./call-options.js";

const req = (headers: Record<string, string> = {}) => ({ headers }) as unknown as Request;

describe("requestCallOptions", () => {
  it("merges your own call options over Cache-Control and the namespace", () => {
    const options = requestCallOptions(req({ "cache-control": "no-store, max-age=5" }), {
      namespace: "tenant-a",
      callOptions: () => ({ ttl: 1_000, tags: ["docs"], namespace: undefined }),
    });
    // An own member left undefined does not erase the namespace the request asked for.
    expect(options).toEqual({ noStore: true, ttl: 1_000, tags: ["docs"], namespace: "tenant-a" });
  });

  it("reads X-Recall-Verify (sync, async or off) under your own call options, and refuses anything else with a 400", () => {
    expect(requestCallOptions(req({ "x-recall-verify": "sync" }), {})).toEqual({ verify: "sync" });
    expect(requestCallOptions(req({ "x-recall-verify": " OFF " }), {})).toEqual({ verify: false });
    const pinned = { callOptions: () => ({ verify: "async" as const }) };
    expect(requestCallOptions(req({ "x-recall-verify": "sync" }), pinned)).toEqual({ verify: "async" });
    expect(() => requestCallOptions(req({ "x-recall-verify": "yes" }), {})).toThrow(
      expect.objectContaining({ status: 400, code: "invalid_recall_verify" }),
    );
  });

  it("refuses own call options of the wrong type or with an unknown member, naming it", () => {
    const bad = (own: unknown) => () => requestCallOptions(req(), { callOptions: () => own as never });
    expect(bad({ noCahce: true })).toThrow(/callOptions\(req\)\.noCahce is not a Recall option/);
    expect(bad({ ttl: "5" })).toThrow(
      expect.objectContaining({ code: "RECALL_INVALID_OPTION", message: expect.stringMatching(/ttl/) }),
    );
  });
});
