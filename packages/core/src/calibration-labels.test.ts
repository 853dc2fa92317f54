import { describe, expect, it } from "vitest";
import { type LabelledPair, labelJudge } from "./calibration-labels.js";

describe("labelJudge", () => {
  const pairs: LabelledPair[] = [
    { a: "A", b: "B", label: 1 }, // 0
    { a: "C", b: "B", label: 1 }, // 1: A, B and C are one question
    { a: "D", b: "E", label: 0 }, // 2
    { a: "G", b: "F", label: 1 }, // 3: F and G are one question
    { a: "A", b: "F", label: 0 }, // 4: ...and not the same as A's
  ];
  const judge = labelJudge(pairs);

  it("lets a pair's own label decide a hit on its own question", () => {
    expect(judge(0, "A")).toBe("right");
    expect(judge(2, "D")).toBe("wrong");
    expect(judge(4, "A")).toBe("wrong");
  });

  it("counts the very same question as right whatever the label", () => {
    expect(judge(2, "E")).toBe("right");
  });

  it("judges another pair's question through the groups the labels form", () => {
    expect(judge(0, "C")).toBe("right"); // C = B = A
    expect(judge(3, "C")).toBe("wrong"); // F's group was labelled different from A's
    expect(judge(2, "A")).toBe("unlabelled"); // nothing ties E to A
    expect(judge(0, "D")).toBe("unlabelled");
  });
});
