import { describe, expect, it } from "vitest";
import type { Answer } from "./adapters/types.js";
import { servedIntents } from "./served-intent.js";

const answer = (text: string, status: Answer["status"], matchedQuestion?: string): Answer => ({
  text,
  status,
  matchedQuestion,
});

describe("the intent a served answer was written for", () => {
  it("reads the local upstream's tag", () => {
    const served = servedIntents("local");
    expect(served("enable-2fa", answer("[intent:disable-2fa] Open Settings.", "semantic-hit"))).toBe(
      "disable-2fa",
    );
  });

  it("knows a real provider's answer by its text, so a wrong alias is caught", () => {
    const served = servedIntents("real");
    expect(served("enable-2fa", answer("Open Security, then Enable 2FA.", "miss"))).toBe("enable-2fa");
    // A judge wrongly promoted "How can I turn off two-factor authentication?" to an alias of the
    // enable-2fa entry: the alias hit names the promoted wording, yet serves the enable-2fa answer.
    const aliasHit = answer(
      "Open Security, then Enable 2FA.",
      "semantic-hit",
      "How can I turn off two-factor authentication?",
    );
    expect(served("disable-2fa", aliasHit)).toBe("enable-2fa");
    // An answer not seen yet is judged by the question it matched.
    expect(
      served("disable-2fa", answer("Unseen.", "semantic-hit", "How do I enable two-factor authentication?")),
    ).toBe("enable-2fa");
  });
});
