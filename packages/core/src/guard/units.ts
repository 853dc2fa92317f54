import { difference, type GuardRule, list } from "./rule.js";
import { lowerCleanOf, perText } from "./text.js";

/**
 * Units by canonical name. `words` count wherever they appear ("how many miles…"); `short` forms
 * and time units count only right after a number ("5 m", "2 weeks"), where they cannot be
 * ordinary words.
 */
const UNITS: Array<{ unit: string; words?: string[]; short?: string[] }> = [
  { unit: "byte", words: ["byte", "bytes"] },
  { unit: "KB", words: ["kilobyte", "kilobytes"], short: ["kb"] },
  { unit: "MB", words: ["megabyte", "megabytes"], short: ["mb"] },
  { unit: "GB", words: ["gigabyte", "gigabytes"], short: ["gb", "gig", "gigs"] },
  { unit: "TB", words: ["terabyte", "terabytes"], short: ["tb"] },
  { unit: "Kbps", short: ["kbps"] },
  { unit: "Mbps", short: ["mbps"] },
  { unit: "Gbps", short: ["gbps"] },
  { unit: "Hz", words: ["hertz"], short: ["hz"] },
  { unit: "kHz", short: ["khz"] },
  { unit: "MHz", short: ["mhz"] },
  { unit: "GHz", short: ["ghz"] },
  { unit: "mm", words: ["millimeter", "millimeters", "millimetre", "millimetres"], short: ["mm"] },
  { unit: "cm", words: ["centimeter", "centimeters", "centimetre", "centimetres"], short: ["cm"] },
  { unit: "m", words: ["meter", "meters", "metre", "metres"], short: ["m"] },
  { unit: "km", words: ["kilometer", "kilometers", "kilometre", "kilometres"], short: ["km", "kms"] },
  { unit: "mile", words: ["mile", "miles"], short: ["mi"] },
  { unit: "ft", words: ["foot", "feet"], short: ["ft"] },
  { unit: "inch", words: ["inch", "inches"] },
  { unit: "yard", words: ["yard", "yards"], short: ["yd", "yds"] },
  { unit: "mg", words: ["milligram", "milligrams"], short: ["mg"] },
  { unit: "g", words: ["gram", "grams"], short: ["g", "gm", "gms"] },
  { unit: "kg", words: ["kilogram", "kilograms"], short: ["kg", "kgs", "kilo", "kilos"] },
  { unit: "lb", words: ["pound", "pounds"], short: ["lb", "lbs"] },
  { unit: "oz", words: ["ounce", "ounces"], short: ["oz"] },
  { unit: "ton", words: ["ton", "tons", "tonne", "tonnes"] },
  { unit: "ml", words: ["milliliter", "milliliters", "millilitre", "millilitres"], short: ["ml"] },
  { unit: "l", words: ["liter", "liters", "litre", "litres"], short: ["l"] },
  { unit: "gallon", words: ["gallon", "gallons"], short: ["gal"] },
  { unit: "°C", words: ["celsius", "centigrade"], short: ["°c", "c"] },
  { unit: "°F", words: ["fahrenheit"], short: ["°f", "f"] },
  { unit: "kcal", words: ["calorie", "calories", "kcal"], short: ["cal", "cals"] },
  { unit: "W", words: ["watt", "watts"], short: ["w"] },
  { unit: "kW", words: ["kilowatt", "kilowatts"], short: ["kw"] },
  { unit: "kWh", short: ["kwh"] },
  { unit: "V", words: ["volt", "volts"], short: ["v"] },
  { unit: "mAh", short: ["mah"] },
  { unit: "MP", words: ["megapixel", "megapixels"], short: ["mp"] },
  { unit: "fps", short: ["fps"] },
  { unit: "rpm", short: ["rpm"] },
  { unit: "%", words: ["percent", "percentage"], short: ["%"] },
  { unit: "second", short: ["sec", "secs", "second", "seconds"] },
  { unit: "minute", short: ["min", "mins", "minute", "minutes"] },
  { unit: "hour", short: ["h", "hr", "hrs", "hour", "hours"] },
  { unit: "day", short: ["day", "days"] },
  { unit: "week", short: ["week", "weeks", "wk", "wks"] },
  { unit: "month", short: ["month", "months"] },
  { unit: "year", short: ["year", "years", "yr", "yrs"] },
  { unit: "USD", words: ["dollar", "dollars", "usd", "bucks"], short: ["$"] },
  { unit: "EUR", words: ["euro", "euros", "eur"], short: ["€"] },
  { unit: "GBP", words: ["gbp", "sterling"], short: ["£"] },
  { unit: "INR", words: ["rupee", "rupees", "inr"], short: ["₹", "rs"] },
  { unit: "JPY", words: ["yen", "jpy"], short: ["¥"] },
  { unit: "CNY", words: ["yuan", "rmb"] },
];

const BY_WORD = new Map<string, string>();
const BY_SHORT = new Map<string, string>();
for (const { unit, words = [], short = [] } of UNITS) {
  for (const w of words) BY_WORD.set(w, unit);
  for (const s of [...words, ...short]) BY_SHORT.set(s, unit);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const AFTER = [...BY_SHORT.keys()]
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join("|");
const NUMBER = String.raw`\d+(?:[.,]\d+)*`;
/** A number then a unit: "5 GB", "5GB", "10-year", "30%". */
const QUANTITY = new RegExp(
  String.raw`(?<![\p{L}\p{N}.])(${NUMBER})\s?-?\s?(${AFTER})(?![\p{L}\p{N}])`,
  "gu",
);
/** A currency sign or code before a number: "$5", "Rs. 500", "INR 500". */
const PREFIXED = new RegExp(String.raw`([$€£₹¥]|\brs\.?|\binr|\busd|\beur)\s?(${NUMBER})`, "gu");

/** The units a text mentions, by canonical name ("GB", "km", "USD"). */
export const unitsOf = perText((text): Set<string> => {
  const lower = lowerCleanOf(text);
  const out = new Set<string>();
  for (const m of lower.matchAll(QUANTITY)) {
    // One-letter units only when written against the number ("5m", not "grade 5 c").
    if (m[2]!.length === 1 && /\p{L}/u.test(m[2]!) && /\s|-/.test(m[0]!)) continue;
    out.add(BY_SHORT.get(m[2]!)!);
  }
  for (const m of lower.matchAll(PREFIXED))
    out.add((BY_SHORT.get(m[1]!.replace(".", "")) ?? BY_WORD.get(m[1]!))!);
  for (const w of text.words) {
    const unit = BY_WORD.get(w);
    if (unit) out.add(unit);
  }
  return out;
});

/** True for a word that names a unit or currency ("GB", "km", "INR", "dollars"). */
export function isUnitWord(word: string): boolean {
  return BY_SHORT.has(word.toLowerCase()) && word.length > 1;
}

/**
 * Units: "5 GB" vs "5 MB", "how many km" vs "how many miles", "2 weeks" vs "2 months", "$" vs "€".
 * (Which number goes with which unit is not compared: "₹500 and ₹2000" = "500 and 2000 rupees".)
 */
export const units: GuardRule = {
  name: "units",
  check(question, candidate) {
    const diff = difference(unitsOf(question), unitsOf(candidate));
    return diff && `units differ (${list(diff[0])} vs ${list(diff[1])})`;
  },
};
