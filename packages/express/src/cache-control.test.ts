import { describe, expect, it } from "vitest";
import { parseCacheControl } from "./cache-control.js";

describe("parseCacheControl", () => {
  it("reads no-cache, no-store and max-age", () => {
    expect(parseCacheControl(undefined)).toEqual({});
    expect(parseCacheControl("no-cache")).toEqual({ noCache: true });
    expect(parseCacheControl("No-Store")).toEqual({ noStore: true });
    expect(parseCacheControl("max-age=60")).toEqual({ ttl: 60_000 });
    expect(parseCacheControl('max-age="5", no-store')).toEqual({ ttl: 5_000, noStore: true });
    expect(parseCacheControl(["no-cache", "max-age=2"])).toEqual({ noCache: true, ttl: 2_000 });
  });

  it("treats max-age=0 as neither read nor write, and ignores what it does not understand", () => {
    expect(parseCacheControl("max-age=0")).toEqual({ noCache: true, noStore: true });
    expect(parseCacheControl("max-age=-1, max-age=abc, max-age=1.5, private, max-stale")).toEqual({});
  });
});
