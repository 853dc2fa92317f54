import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyPath } from "../test/paths.js";
import { ApiError } from "./errors.js";
import { checkRequestPath, joinUnderBase } from "./upstream-path.js";

const BASE = "http://upstream.internal:8080/base/v1";

describe("checkRequestPath", () => {
  const refused = [
    "/../../admin/keys",
    "/models/../../admin",
    "/%2e%2e/%2e%2e/admin",
    "/%2E%2E/admin",
    "/.%2e/admin",
    "/%252e%252e/admin",
    "/models%2f..%2f..%2fadmin",
    "/models%2F..",
    "/models\\..\\admin",
    "/models%5c..%5cadmin",
    "//evil.example/v1",
    "http://evil.example/admin",
    "models",
    "/models//x",
    "/models#frag",
    "/models/%00",
    "/models/%zz",
    "/.env",
  ];
  it.each(refused)("refuses %s with a 400 invalid_path", (path) => {
    expect(() => checkRequestPath(path)).toThrow(
      expect.objectContaining({ status: 400, code: "invalid_path" }),
    );
  });

  it.each(["/models", "/models/", "/models/gpt-4o-mini", "/files/file-abc?purpose=x&next=/../y", "/"])(
    "accepts %s",
    (path) => {
      expect(() => checkRequestPath(path)).not.toThrow();
    },
  );
});

describe("joinUnderBase", () => {
  it("appends a safe path and query to the base path", () => {
    expect(joinUnderBase(BASE, "/models/gpt-4o?x=1")).toBe(
      "http://upstream.internal:8080/base/v1/models/gpt-4o?x=1",
    );
    expect(joinUnderBase(`${BASE}/`, "/models")).toBe("http://upstream.internal:8080/base/v1/models");
    expect(joinUnderBase("http://upstream.internal", "/models")).toBe("http://upstream.internal/models");
  });

  it("property: whatever the path, the URL keeps the origin and starts with the base path, or it is a 400", () => {
    fc.assert(
      fc.property(anyPath, (path) => {
        let url: URL;
        try {
          url = new URL(joinUnderBase(BASE, path));
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect((error as ApiError).status).toBe(400);
          return;
        }
        expect(url.origin).toBe("http://upstream.internal:8080");
        expect(url.pathname.startsWith("/base/v1/") || url.pathname === "/base/v1").toBe(true);
        // Nothing left for the upstream to resolve: no segment is, or decodes to, a dot segment.
        for (const segment of url.pathname.split("/")) {
          expect(decodeURIComponent(segment).startsWith(".")).toBe(false);
          expect(decodeURIComponent(segment)).not.toMatch(/[/\\]/);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
