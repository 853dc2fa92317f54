import { difference, type GuardRule, list } from "./rule.js";
import { lowerCleanOf, perText, type Token } from "./text.js";

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
/** Month names that are also common words ("may", "march"): months only when capitalized mid-sentence or beside a number. */
const AMBIGUOUS_MONTHS = new Set(["march", "may", "august"]);
const MONTH_ABBREVIATIONS: Record<string, string> = {
  jan: "january",
  feb: "february",
  apr: "april",
  jun: "june",
  jul: "july",
  aug: "august",
  sep: "september",
  sept: "september",
  oct: "october",
  nov: "november",
  dec: "december",
};
const RELATIVE_DAYS = new Set([
  "today",
  "tonight",
  "tomorrow",
  "yesterday",
  "weekend",
  "weekday",
  "weekdays",
]);
const RELATIVE =
  /\b(this|next|last|coming|previous|past) (week|weekend|month|year|decade|century|night|morning|evening|summer|winter|spring|autumn|fall|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/g;
/** "3pm", "3 p.m.", "10:30 am". */
const CLOCK = /\b(\d{1,2})(?::(\d{2}))?\s?([ap])\.?m\b\.?/g;

const isNumber = (t: Token | undefined) => t !== undefined && /^\d/.test(t.text);

function monthOf(tokens: readonly Token[], i: number): string | undefined {
  const t = tokens[i]!;
  const word = t.lower.replace(/\.$/, "");
  const besideNumber = isNumber(tokens[i - 1]) || isNumber(tokens[i + 1]);
  const capitalized = /^\p{Lu}/u.test(t.text);
  if (MONTHS.includes(word)) {
    if (!AMBIGUOUS_MONTHS.has(word)) return word;
    return besideNumber || (capitalized && !t.sentenceStart) ? word : undefined;
  }
  const full = MONTH_ABBREVIATIONS[word];
  return full && (besideNumber || capitalized) ? full : undefined;
}

/**
 * The date and time mentions of a text, normalized: weekdays, months, years (1900–2099 and
 * decades like "1990s"), relative days ("tomorrow", "next week") and clock times ("3pm").
 */
export const datesOf = perText((text): Set<string> => {
  const out = new Set<string>();
  const tokens = text.tokens;
  tokens.forEach((t, i) => {
    const day = t.lower.replace(/s$/, "");
    if (WEEKDAYS.includes(day)) out.add(day);
    const month = monthOf(tokens, i);
    if (month) out.add(month);
    if (RELATIVE_DAYS.has(t.lower)) out.add(t.lower);
    if (/^(?:19|20)\d\d$/.test(t.text)) out.add(t.text);
    if (/^(?:(?:19|20)\d0|\d0)'?s$/.test(t.lower)) out.add(t.lower.replace("'", ""));
  });
  const padded = text.padded;
  for (const m of padded.matchAll(RELATIVE))
    out.add(`${m[1] === "coming" ? "next" : m[1] === "previous" || m[1] === "past" ? "last" : m[1]} ${m[2]}`);
  for (const m of lowerCleanOf(text).matchAll(CLOCK)) {
    out.add(`${Number(m[1])}${m[2] && m[2] !== "00" ? `:${m[2]}` : ""}${m[3]}m`);
  }
  for (const word of ["noon", "midnight"]) if (text.words.has(word)) out.add(word);
  return out;
});

/** Dates and times: "Monday" vs "Tuesday", "in 2016" vs "in 2017", "tomorrow" vs "today", "3pm" vs "3am". */
export const dates: GuardRule = {
  name: "dates",
  check(question, candidate) {
    const diff = difference(datesOf(question), datesOf(candidate));
    return diff && `dates differ (${list(diff[0])} vs ${list(diff[1])})`;
  },
};
