import { describe, expect, it } from "vitest";
import { RecallError } from "./errors.js";
import { createGuard, DEFAULT_GUARD_RULES, defaultGuard, type GuardRule, guardRules } from "./guard.js";

/** [question, stored candidate] pairs the guard must refuse, with the rule that must refuse them. */
const refused: Array<[rule: string, question: string, candidate: string]> = [
  ["negation", "Why am I unable to sleep?", "Why do I sleep?"],
  // Numbers, in digits and in words.
  ["numbers", "Can I get a refund for order 123?", "Can I get a refund for order 456?"],
  ["numbers", "What are the top 5 tourist spots in Rome?", "What are the top 10 tourist spots in Rome?"],
  ["numbers", "Can I book two rooms?", "Can I book three rooms?"],
  ["numbers", "Is 1,000 users a lot?", "Is 10,000 users a lot?"],
  ["numbers", "Which plan includes 10k requests?", "Which plan includes 100k requests?"],
  ["numbers", "What is the third law of motion?", "What is the 2nd law of motion?"],
  // Units.
  ["units", "Is 5 GB of RAM enough for a laptop?", "Is 5 MB of RAM enough for a laptop?"],
  ["units", "How long does it take to run 10 km?", "How long does it take to run 10 miles?"],
  ["units", "Can I lose weight in 2 weeks?", "Can I lose weight in 2 months?"],
  ["units", "Is $500 a good budget for a phone?", "Is €500 a good budget for a phone?"],
  ["units", "How do I convert 30 celsius?", "How do I convert 30 fahrenheit?"],
  // Dates and times.
  ["dates", "Is the museum open on Monday?", "Is the museum open on Tuesday?"],
  ["dates", "Who won the World Cup in 2014?", "Who won the World Cup in 2018?"],
  ["dates", "What's the weather tomorrow?", "What's the weather today?"],
  ["dates", "Can I book a table for next week?", "Can I book a table for this week?"],
  ["dates", "Can I call you at 3pm?", "Can I call you at 3am?"],
  ["dates", "What happens in the stock market in January?", "What happens in the stock market in June?"],
  // Negation.
  ["negation", "Can I pay with a credit card?", "Can't I pay with a credit card?"],
  ["negation", "How do I lose weight with exercise?", "How do I lose weight without exercise?"],
  ["negation", "Is it safe to drink tap water?", "Is it not safe to drink tap water?"],
  ["negation", "Why do people like cats?", "Why do people never like cats?"],
  ["negation", "What do Indian men think of Indian women?", "What do non-Indian men think of Indian women?"],
  ["negation", "Why doesnt my app start?", "Why does my app start?"],
  // Named entities, versions and code.
  ["entities", "How do I learn Python quickly?", "How do I learn Java quickly?"],
  ["entities", "What are cheap flights to Paris?", "What are cheap flights to Rome?"],
  ["entities", "Is Tesla a good investment?", "Is Toyota a good investment?"],
  ["entities", "What is the capital of France?", "What is the capital?"],
  ["entities", "How is the formula of H2S determined?", "How is the formula of H2 determined?"],
  ["entities", "does the wn725n support monitor mode", "Does the WN725G support monitor mode?"],
  ["versions", "What's new in Python 3.11?", "What's new in Python 3.12?"],
  ["versions", "Should I buy the iPhone 14?", "Should I buy the iPhone 15?"],
  ["identifiers", "What does useState do in React?", "What does useEffect do in React?"],
  ["identifiers", "How do I use os.path.join?", "how do i use os.path.split"],
  ["identifiers", "What does git push --force do?", "What does git push --dry-run do?"],
  ["identifiers", "Why is my_var undefined?", "Why is my_val undefined?"],
  // Swapped order around a direction word.
  ["order", "How do I migrate from MySQL to PostgreSQL?", "How do I migrate from PostgreSQL to MySQL?"],
  ["order", "How do I convert Celsius to Fahrenheit?", "How do I convert Fahrenheit to Celsius?"],
  ["order", "Is Python faster than Java?", "Is Java faster than Python?"],
  ["order", "How do I switch from Android to iPhone?", "How do I switch from iPhone to Android?"],
  ["order", "What is the exchange rate from USD to EUR?", "What is the exchange rate from EUR to USD?"],
  ["order", "Should I do cardio before weights?", "Should I do weights before cardio?"],
  // Negated by an affix.
  ["affixedNegation", "Is it safe to eat raw chicken?", "Is it unsafe to eat raw chicken?"],
  ["affixedNegation", "Why is my heartbeat regular?", "Why is my heartbeat irregular?"],
  ["affixedNegation", "Is a history degree useful?", "Is a history degree useless?"],
  ["affixedNegation", "Why is my account active?", "Why is my account inactive?"],
  // Swapped roles around a verb.
  ["roles", "Does the dog chase the cat?", "Does the cat chase the dog?"],
  ["roles", "Can a landlord evict a tenant without notice?", "Can a tenant evict a landlord without notice?"],
  ["roles", "Why does India hate Pakistan?", "Why does Pakistan hate India?"],
  // Opposite words.
  ["antonyms", "How do I increase the font size?", "How do I decrease the font size?"],
  ["antonyms", "How do I enable dark mode?", "How do I disable dark mode?"],
  ["antonyms", "Is it a good time to buy gold?", "Is it a good time to sell gold?"],
  ["antonyms", "Why is my upload speed slow?", "Why is my download speed slow?"],
  ["antonyms", "What is the maximum file size?", "What is the minimum file size?"],
  ["antonyms", "How can I gain weight fast?", "How can I lose weight fast?"],
  ["antonyms", "How do I turn on Bluetooth?", "How do I turn off Bluetooth?"],
  [
    "antonyms",
    "What are the advantages of remote work?",
    "What are the advantages and disadvantages of remote work?",
  ],
];

/** Real paraphrases (kinds of difference the rules must see through) the guard must let pass. */
const passed: Array<[why: string, question: string, candidate: string]> = [
  ["both negated, one by an affix", "Why am I unable to sleep?", "Why can't I sleep?"],
  ["plain rewording", "How can I lose weight fast?", "What is the quickest way to lose weight?"],
  ["case of names", "How do I learn Python?", "how do i learn python"],
  ["all capitals", "HOW DO I LEARN PYTHON?", "How do I learn Python?"],
  ["Title Case", "What Is The Best Way To Learn Guitar?", "What is the best way to learn guitar?"],
  [
    "'I' and sentence starts",
    "I want to learn Spanish. Where do I start?",
    "Where do I start if I want to learn Spanish?",
  ],
  ["possessive", "What is Trump's policy on trade?", "What is trump policy on trade?"],
  ["plural", "Why do people like iPhones?", "Why do people like the iPhone?"],
  [
    "place and people",
    "Which dating sites are popular with Indians?",
    "Which dating sites are popular in India?",
  ],
  ["misspelled name", "Which is better, Deloitte or Accenture?", "Which is better, deloite or Accenture?"],
  ["alias", "What should I visit in the US?", "What should I visit in America?"],
  ["number in words", "Can I book two rooms?", "Can I book 2 rooms?"],
  ["thousands separator", "Is 1,000 users a lot?", "Is 1000 users a lot?"],
  ["'one' as a pronoun", "Which one is better for beginners?", "Which is better for beginners?"],
  ["unit spelled out", "Is 5 GB enough?", "Is 5 gigabytes enough?"],
  ["both negated", "Why can't I sleep at night?", "Why am I not able to sleep at night?"],
  ["'or not' is no negation", "Is it safe to eat raw eggs or not?", "Is it safe to eat raw eggs?"],
  ["'why or why not' is no negation", "Should I learn Rust? Why or why not?", "Should I learn Rust?"],
  ["symmetric 'vs'", "MySQL vs PostgreSQL for analytics?", "PostgreSQL vs MySQL for analytics?"],
  ["symmetric 'or'", "Should I buy or rent a house?", "Should I rent or buy a house?"],
  ["coordination", "Do cats and dogs get along?", "Do dogs and cats get along?"],
  ["passive", "Does the dog chase the cat?", "Is the cat chased by the dog?"],
  ["symmetric verb", "Did Romeo marry Juliet?", "Did Juliet marry Romeo?"],
  ["both negated by an affix", "Is it unsafe to eat raw chicken?", "Is raw chicken unsafe to eat?"],
  ["'important' is no negation", "Is it important to vote?", "Why is voting important?"],
  ["possessor (opt-in)", "How do I delete my account?", "How do I delete your account?"],
  ["change of person", "How can I reset my password?", "How do you reset your password?"],
  ["infinitive 'to' reordered", "What is the best way to learn guitar?", "How to learn guitar the best way?"],
  [
    "same direction",
    "How do I migrate from MySQL to PostgreSQL?",
    "What's the way to move from MySQL to Postgres?",
  ],
  ["adverb at a sentence start", "Honestly, is coffee bad for you?", "Is coffee bad for you?"],
  ["abbreviation dots", "What are the best U.S. universities?", "What are the best US universities?"],
  ["same version", "What's new in Python 3.12?", "what is new in python 3.12"],
  ["model code, spaced or not", "Is the iPhone6 still good?", "Is the iPhone 6 still good?"],
  [
    "a word at a sentence start",
    "Smoking: is hookah worse than cigarettes?",
    "Is hookah worse than cigarettes?",
  ],
  [
    "clauses reordered around 'from' in a long paraphrase",
    "The Python library for the Hub lets you manage repositories from within a Python environment.",
    "The Hub Python library is a client that lets you manage repositories from your Python runtime.",
  ],
  [
    "'large' and 'small' not asked about",
    "How do I load a large dataset with small memory?",
    "How do I load a large dataset?",
  ],
];

describe("defaultGuard", () => {
  it.each(refused)("%s: refuses %j for %j", (rule, question, candidate) => {
    const verdict = defaultGuard(question, candidate);
    expect(verdict.ok, `${question} | ${candidate}`).toBe(false);
    if (!verdict.ok) {
      expect(verdict.rule).toBe(rule);
      expect(verdict.reason.length).toBeGreaterThan(10);
    }
  });

  it.each(passed)("lets a paraphrase through (%s): %j / %j", (_why, question, candidate) => {
    expect(defaultGuard(question, candidate)).toEqual({ ok: true });
  });

  it("is symmetric on the examples: swapping question and candidate gives the same verdict", () => {
    for (const [, q, c] of refused) expect(defaultGuard(c, q).ok, `${c} | ${q}`).toBe(false);
    for (const [, q, c] of passed) expect(defaultGuard(c, q).ok, `${c} | ${q}`).toBe(true);
  });

  it("gives reasons that name both sides", () => {
    expect(defaultGuard("Order 123 status?", "Order 456 status?")).toEqual({
      ok: false,
      rule: "numbers",
      reason: "numbers differ (123 vs 456)",
    });
    const verdict = defaultGuard("How do I learn Python?", "How do I learn Java?");
    expect(verdict).toMatchObject({ ok: false, reason: "named entities differ (Python vs Java)" });
  });

  it("passes identical texts without reading them", () => {
    expect(defaultGuard("anything 1", "anything 1")).toEqual({ ok: true });
  });
});

describe("createGuard", () => {
  it("runs only the rules asked for, by name", () => {
    const numbersOnly = createGuard({ rules: ["numbers"] });
    expect(numbersOnly("How do I learn Python?", "How do I learn Java?").ok).toBe(true);
    expect(numbersOnly("Order 1?", "Order 2?").ok).toBe(false);
  });

  it("adds extra rules after the built-in ones", () => {
    const noDogs: GuardRule = {
      name: "no-dogs",
      check: (q, c) => (q.words.has("dog") !== c.words.has("dog") ? "one mentions a dog" : undefined),
    };
    const guard = createGuard({ extraRules: [noDogs] });
    expect(guard("Can my dog eat rice?", "Can my cat eat rice?")).toEqual({
      ok: false,
      rule: "no-dogs",
      reason: "one mentions a dog",
    });
    // Built-in rules still run first.
    expect(guard("Can my dog eat 2 eggs?", "Can my cat eat 3 eggs?")).toMatchObject({
      ok: false,
      rule: "numbers",
    });
  });

  it("offers the opt-in questionWords rule", () => {
    expect(defaultGuard("Why is Africa poor?", "Is Africa poor?").ok).toBe(true);
    const strict = createGuard({ rules: [...DEFAULT_GUARD_RULES, "questionWords"] });
    expect(strict("Why is Africa poor?", "Is Africa poor?")).toMatchObject({
      ok: false,
      rule: "questionWords",
    });
    expect(strict("Where can I learn to sing?", "How can I learn to sing?").ok).toBe(false);
    expect(strict("How much coffee is too much?", "How many cups of coffee is too much?").ok).toBe(true);
    expect(strict("How can I learn to sing?", "What is the best way to learn to sing?").ok).toBe(true);
  });

  it("offers the opt-in possessor rule", () => {
    const strict = createGuard({ rules: [...DEFAULT_GUARD_RULES, "possessor"] });
    expect(strict("How do I delete my account?", "How do I delete your account?")).toMatchObject({
      ok: false,
      rule: "possessor",
    });
    expect(strict("How can I reset my password?", "How do you reset your password?").ok).toBe(true);
    expect(DEFAULT_GUARD_RULES).not.toContain("possessor");
  });

  it("refuses unknown rule names and malformed rules at creation", () => {
    expect(() => createGuard({ rules: ["nope" as "numbers"] })).toThrow(RecallError);
    expect(() => createGuard({ rules: ["nope" as "numbers"] })).toThrow(/unknown guard rule "nope"/);
    expect(() => createGuard({ extraRules: [{ name: "x" } as unknown as GuardRule] })).toThrow(/guard rule/);
  });

  it("exports every built-in rule by name", () => {
    for (const name of DEFAULT_GUARD_RULES) expect(guardRules[name].name).toBe(name);
  });
});
