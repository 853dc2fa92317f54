import { describe, expect, it } from "vitest";
import { collectSecrets, isSecretName, stripSecrets } from "./credentials.js";

describe("isSecretName", () => {
  it.each([
    "apiKey",
    "api_key",
    "X-API-Key",
    "openAIApiKey",
    "key",
    "privateKey",
    "clientSecret",
    "secret",
    "password",
    "db_password",
    "accessToken",
    "token",
    "sessionToken",
    "Authorization",
    "proxy-authorization",
    "cookie",
    "credentials",
    "auth",
    "bearer",
    "apikey",
  ])("%s is a credential", (name) => expect(isSecretName(name)).toBe(true));

  it.each([
    "keywords",
    "keys_to_extract",
    "tokenizer",
    "maxTokens",
    "max_tokens",
    "budget_tokens",
    "tokenLimit",
    "promptCacheKey",
    "cacheKey",
    "sortKey",
    "monkey",
    "author",
    "authority",
    "temperature",
    "",
  ])("%s is not a credential (it may change the answer, so it stays keyed)", (name) =>
    expect(isSecretName(name)).toBe(false),
  );
});

describe("stripSecrets and collectSecrets", () => {
  it("drop credentials, keep what changes the answer, and remember what they dropped", () => {
    const params = {
      apiKey: "k-1234567890",
      keywords: ["a", "b"],
      promptCacheKey: "faq-v1",
      headers: { Authorization: "Bearer abcdefghij" },
      tools: [{ parameters: { properties: { password: { type: "string" } } } }],
    };
    expect(stripSecrets(params)).toEqual({
      keywords: ["a", "b"],
      promptCacheKey: "faq-v1",
      headers: {},
      tools: [{ parameters: { properties: { password: { type: "string" } } } }],
    });
    expect([...collectSecrets(params)].sort()).toEqual(["Bearer abcdefghij", "k-1234567890"]);
  });
});
