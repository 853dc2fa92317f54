import { createHmac } from "node:crypto";
import { requestKeys } from "@recall/core/adapter";
import type { Request } from "express";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  credentialKey,
  credentialScope,
  requestCredential,
  requestScope,
  scopedRequest,
} from "./credential-scope.js";

const SECRET = "0123456789abcdef-test-secret";
const withAuth = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as unknown as Request;
const credential = fc.stringMatching(/^[\x21-\x7e]{1,60}$/).map((token) => `Bearer ${token}`);
const request = {
  model: { provider: "openai", id: "gpt-4o-mini" },
  messages: [{ role: "user" as const, content: "What is the capital of France?" }],
};

describe("credential scope", () => {
  it("is HMAC-SHA256(secret, Authorization header) in hex, never the credential", () => {
    const key = credentialKey(SECRET);
    const scope = credentialScope(key, "Bearer sk-abc");
    expect(scope).toBe(`credential:${createHmac("sha256", SECRET).update("Bearer sk-abc").digest("hex")}`);
    expect(scope).not.toContain("sk-abc");
  });

  it("property: distinct credentials get distinct scopes, exact keys and semantic partitions", () => {
    const key = credentialKey(Buffer.from(SECRET));
    fc.assert(
      fc.property(credential, credential, (a, b) => {
        fc.pre(a !== b);
        const [sa, sb] = [credentialScope(key, a), credentialScope(key, b)];
        expect(sa).not.toBe(sb);
        expect(sa).toMatch(/^credential:[0-9a-f]{64}$/);
        const options = { prefix: "recall", namespace: "default" };
        const [ka, kb] = [
          requestKeys(scopedRequest(request, sa), options),
          requestKeys(scopedRequest(request, sb), options),
        ];
        expect(ka.key).not.toBe(kb.key);
        expect(ka.partition).toBeDefined();
        expect(ka.partition).not.toBe(kb.partition);
        expect(ka.question).toBe(kb.question);
      }),
      { numRuns: 500 },
    );
  });

  it("the same secret gives the same scope (entries survive restarts); another secret does not", () => {
    fc.assert(
      fc.property(credential, (c) => {
        expect(credentialScope(credentialKey(SECRET), c)).toBe(credentialScope(credentialKey(SECRET), c));
        expect(credentialScope(credentialKey(`${SECRET}!`), c)).not.toBe(
          credentialScope(credentialKey(SECRET), c),
        );
      }),
      { numRuns: 100 },
    );
  });

  it("without a configured secret uses one random secret per process", () => {
    expect(credentialKey(undefined)).toBe(credentialKey(undefined));
    expect(credentialScope(credentialKey(undefined), "Bearer x")).not.toBe(
      credentialScope(credentialKey(SECRET), "Bearer x"),
    );
  });

  it.each([
    ["a short string", "too-short"],
    ["a short Buffer", Buffer.alloc(15)],
    ["a number", 1234567890123456],
    ["an array", ["0123456789abcdef"]],
  ])("refuses %s as the secret", (_name, secret) => {
    expect(() => credentialKey(secret as never)).toThrow(
      expect.objectContaining({ code: "RECALL_INVALID_OPTION" }),
    );
  });

  it("reads the credential from Authorization; a missing, blank or bare-scheme header is none", () => {
    expect(requestCredential(withAuth("Bearer sk-1"))).toBe("Bearer sk-1");
    for (const none of [undefined, "", "   ", "Bearer", "Bearer ", "basic"]) {
      expect(requestCredential(withAuth(none))).toBeUndefined();
    }
  });

  it("fails closed: with a key, a request without a credential throws a 401; without a key it is unscoped", () => {
    const key = credentialKey(SECRET);
    expect(() => requestScope(withAuth(), key)).toThrow(
      expect.objectContaining({ status: 401, code: "missing_api_key" }),
    );
    expect(requestScope(withAuth(), undefined)).toBeUndefined();
    expect(requestScope(withAuth("Bearer a"), undefined)).toBeUndefined();
    expect(scopedRequest(request, undefined)).toBe(request);
    expect(scopedRequest({ ...request, context: { input: "x" } }, "credential:ab").context).toEqual({
      scope: "credential:ab",
      request: { input: "x" },
    });
  });
});
