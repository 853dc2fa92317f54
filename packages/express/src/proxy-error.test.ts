import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failureDetail, redact, secretsOf } from "./proxy-error.js";

const word = fc.stringMatching(/^[A-Za-z0-9_-]{4,16}$/);

describe("redact", () => {
  it("takes the userinfo out of every URL, and the listed secrets anywhere", () => {
    const text = "fetch http://bob:hunter22@10.0.0.5:8080/v1 failed, key sk-live-1234 (user bob)";
    expect(redact(text, ["sk-live-1234"])).toBe(
      "fetch http://10.0.0.5:8080/v1 failed, key [redacted] (user bob)",
    );
  });

  it("property: no userinfo of a generated URL survives, whatever surrounds it", () => {
    fc.assert(
      fc.property(word, word, fc.domain(), fc.string({ maxLength: 30 }), (user, pass, host, around) => {
        const url = `https://${user}:${pass}@${host}/v1/chat/completions`;
        const out = redact(
          `${around} ${url} ${around}`,
          secretsOf(`https://${user}:${pass}@${host}/v1`, undefined),
        );
        expect(out).not.toContain(`${user}:${pass}`);
        expect(out).not.toContain(pass);
        expect(out).not.toContain(`${user}@`);
      }),
      { numRuns: 500 },
    );
  });

  it("follows the cause chain of an error", () => {
    const error = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") });
    expect(failureDetail(error)).toBe("fetch failed: connect ECONNREFUSED 127.0.0.1:9");
    expect(failureDetail("plain")).toBe("plain");
  });
});
