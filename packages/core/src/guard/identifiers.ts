import { type GuardRule, list } from "./rule.js";
import { type GuardText, lowerCleanOf, perText } from "./text.js";

/** Code-like tokens, tried in this order on the raw text. */
const PATTERNS = [
  /`([^`\n]+)`/g, // `anything in backticks`
  // os.path.join, console.log(), package.json, Node.js (not "end.Next": a missing space after a full stop)
  /(?<![\w$.])[A-Za-z_$][\w$]*(?:\.(?![A-Z][a-z])[A-Za-z_$][\w$]*)+(?:\(\))?/g,
  /(?<![\w$.])[A-Za-z_$][\w$]*\(\)/g, // useState()
  /(?<![\w$])[A-Za-z$]*_[\w$]+/g, // snake_case, __init__, MAX_RETRIES
  /(?<![\w$])[a-z]{2,}[A-Z][\w$]*/g, // camelCase: useEffect, getElementById (not iPhone, eBay)
  /(?<=^|\s)--?[a-zA-Z][\w-]*/g, // --force, -rf
  /(?<=^|\s)(?:~|\.{1,2})?\/[\w.\-/]+/g, // /etc/hosts, ./src, ~/bin
];

/** The code identifiers of a text, as written. */
export const identifiersOf = perText((text): Set<string> => {
  const out = new Set<string>();
  for (const pattern of PATTERNS) {
    for (const m of text.clean.matchAll(pattern)) {
      const id = (m[1] ?? m[0])
        .trim()
        .replace(/\(\)$/, "")
        .replace(/[.,;:?!]+$/, "");
      if (id.length > 1) out.add(id);
    }
  }
  return out;
});

/** True when `text` contains `id` as a whole token (letter case aside: "iPhone" = "iphone"). */
function contains(text: GuardText, id: string): boolean {
  const haystack = lowerCleanOf(text);
  const needle = id.toLowerCase();
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at < 0) return false;
    const before = haystack[at - 1] ?? " ";
    const after = haystack[at + needle.length] ?? " ";
    if (!/[\w$]/.test(before) && !/[\w$]/.test(after)) return true;
    from = at + 1;
  }
}

/**
 * Code identifiers: a function, variable, file, path or flag named in one text and not the other,
 * ("useState" vs "useEffect", "os.path.join" vs "os.path.split", "--force" vs "--dry-run").
 */
export const identifiers: GuardRule = {
  name: "identifiers",
  check(question, candidate) {
    const onlyQ = [...identifiersOf(question)].filter((id) => !contains(candidate, id));
    const onlyC = [...identifiersOf(candidate)].filter((id) => !contains(question, id));
    if (onlyQ.length === 0 && onlyC.length === 0) return undefined;
    return `code identifiers differ (${list(onlyQ)} vs ${list(onlyC)})`;
  },
};
