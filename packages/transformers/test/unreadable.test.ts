import { type CacheEvents, type CacheRequest, createCache } from "@recall/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEmbedder, type LocalEmbedder } from "../src/index.js";

/**
 * Text all-MiniLM-L6-v2 cannot read must never be matched by meaning. Its vocabulary has no tokens
 * for many scripts and for most emoji: such a word is `[UNK]`, so unrelated questions get one vector
 * (Thai "weather in Bangkok" = Thai "how to cook rice", similarity 1.0000). Property-tested over
 * generated text in every Unicode script and over the emoji, with the real model.
 */

/** The Unicode 15 scripts (`\p{Script=…}`), Common and Inherited left out: they hold no words of their own. */
const SCRIPTS =
  `Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali
Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham
Cherokee Chorasmian Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra
Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati
Gunjala_Gondi Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic
Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi
Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian
Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui
Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari
Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic
Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage
Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan
Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri
Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan
Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square`.split(/\s+/);

/** Up to `max` characters of every code point matching `pattern`, spread over its range. */
function sample(all: string[], pattern: RegExp, max = 300): string[] {
  const chars = all.filter((c) => pattern.test(c));
  const step = Math.max(1, Math.floor(chars.length / max));
  return chars.filter((_, i) => i % step === 0).slice(0, max);
}

const codePoints = (test: RegExp): string[] => {
  const out: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const c = String.fromCodePoint(cp);
    if (test.test(c)) out.push(c);
  }
  return out;
};
const LETTERS = codePoints(/\p{L}/u);
/** Script name → sampled letters (scripts this Node's regex engine knows and that have letters). */
const scriptLetters = new Map<string, string[]>();
for (const name of SCRIPTS) {
  let pattern: RegExp;
  try {
    pattern = new RegExp(`\\p{Script=${name}}`, "u");
  } catch {
    continue;
  }
  const letters = sample(LETTERS, pattern);
  if (letters.length > 0) scriptLetters.set(name, letters);
}
const EMOJI = sample(codePoints(/\p{Extended_Pictographic}/u), /\P{Cn}/u, 1_000);

const FRAMES = [
  (w: string) => `What does ${w} mean?`,
  (w: string) => `Is ${w} safe to eat?`,
  (w: string) => `How do I get to ${w}?`,
  (w: string) => w,
];

const request = (question: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1-mini" },
  messages: [{ role: "user", content: question }],
  params: { temperature: 0 },
});
const answer = (text: string) => async () => ({ body: { text }, text, finishReason: "stop" as const });

let embedder: LocalEmbedder;
let release: (() => Promise<void>) | undefined;
/** Scripts most of whose letters the model reads as `[UNK]`. */
const unreadableScripts: string[] = [];

beforeAll(async () => {
  embedder = createLocalEmbedder({ onProgress: () => {} });
  // Hundreds of short-lived caches share this embedder below: holding it keeps its worker threads
  // alive in between (each cache releases its own hold when closed).
  release = embedder.retain();
  await embedder.load();
  for (const [name, letters] of scriptLetters) {
    const probe = letters.slice(0, 40);
    const shares = await embedder.unrepresented(probe);
    if (shares.filter((s) => s === 1).length >= 0.5 * probe.length) unreadableScripts.push(name);
  }
}, 120_000);

afterAll(async () => {
  await release?.();
  await embedder?.dispose();
});

/** Stores `first`, looks `second` up in a fresh cache, and says how it was answered. */
async function secondAfterFirst(first: string, second: string) {
  // This test checks matching, not load: on a busy machine no lookup may be shed for time (budgetMs).
  const cache = createCache({ semantic: { embedder, budgetMs: 60_000 } });
  const skips: Array<CacheEvents["semantic-skip"]> = [];
  cache.on("semantic-skip", (e) => skips.push(e));
  await cache.run(request(first), answer("first"));
  const outcome = await cache.run(request(second), answer("second"));
  await cache.close();
  return { outcome, skips };
}

const twoWords = (letters: string[]) =>
  fc
    .tuple(
      fc.array(fc.constantFrom(...letters), { minLength: 1, maxLength: 8 }),
      fc.array(fc.constantFrom(...letters), { minLength: 1, maxLength: 8 }),
    )
    .map(([a, b]) => [a.join(""), b.join("")] as const)
    .filter(([a, b]) => a !== b);

describe("text the embedder cannot read is matched exactly only", () => {
  it("finds the scripts the issue reported among those the model cannot read", () => {
    expect(scriptLetters.size).toBeGreaterThan(140);
    expect(unreadableScripts).toEqual(
      expect.arrayContaining(["Thai", "Khmer", "Lao", "Myanmar", "Ethiopic"]),
    );
    // The model does read these.
    expect(unreadableScripts).not.toEqual(expect.arrayContaining(["Latin"]));
  });

  it("reports the unknown share of a text, and nothing for English", async () => {
    const [english, thai, mushroom] = await embedder.unrepresented([
      "Is it safe to eat raw chicken?",
      "สภาพอากาศในกรุงเทพเป็นอย่างไร",
      "Is 🍄 safe to eat?",
    ]);
    expect(english).toBe(0);
    expect(thai).toBe(1);
    expect(mushroom).toBeGreaterThan(0);
    expect(mushroom).toBeLessThan(1);
  });

  it("reports the issue's cases as exact-only, with a semantic-skip", async () => {
    for (const [first, second] of [
      ["สภาพอากาศในกรุงเทพเป็นอย่างไร", "วิธีหุงข้าว"],
      ["Is 🍄 safe to eat?", "Is 🍎 safe to eat?"],
    ] as const) {
      const { outcome, skips } = await secondAfterFirst(first, second);
      expect(outcome.status).toBe("miss");
      // Both lookups were exact-only.
      expect(skips.map((s) => s.reason)).toEqual([
        expect.stringMatching(/unknown to the embedder/),
        expect.stringMatching(/unknown to the embedder/),
      ]);
    }
  });

  it("never matches two different texts in a script the model cannot read", async () => {
    const unreadable = unreadableScripts.filter((s) => scriptLetters.has(s));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...unreadable).chain((script) => twoWords(scriptLetters.get(script)!)),
        fc.constantFrom(...FRAMES),
        async ([a, b], frame) => {
          const { outcome } = await secondAfterFirst(frame(a), frame(b));
          expect(outcome.status).toBe("miss");
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("in any script, never matches texts the model reads as one vector or with unknown tokens", async () => {
    const scripts = [...scriptLetters.keys()];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...scripts).chain((script) => twoWords(scriptLetters.get(script)!)),
        fc.constantFrom(...FRAMES),
        async ([a, b], frame) => {
          const { outcome } = await secondAfterFirst(frame(a), frame(b));
          if (outcome.status !== "semantic-hit") return;
          const shares = await embedder.unrepresented([frame(a), frame(b)]);
          expect(shares).toEqual([0, 0]);
          expect(outcome.similarity).toBeLessThan(1 - 1e-6);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("never matches two questions that differ in an emoji", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.constantFrom(...EMOJI), fc.constantFrom(...EMOJI)).filter(([a, b]) => a !== b),
        fc.constantFrom(...FRAMES),
        async ([a, b], frame) => {
          const { outcome } = await secondAfterFirst(frame(a), frame(b));
          expect(outcome.status).toBe("miss");
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("still matches English paraphrases", async () => {
    const { outcome, skips } = await secondAfterFirst(
      "How do I reset my password?",
      "How do I reset my password ?",
    );
    expect(skips).toHaveLength(0);
    expect(outcome.status).not.toBe("miss");
  });
});
