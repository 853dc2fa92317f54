import fc from "fast-check";

/** Pieces of paths that try to climb out of the base, in every spelling, and harmless ones. */
export const PATH_PIECES = [
  "..",
  ".",
  "...",
  "%2e",
  "%2E",
  "%2e%2e",
  "%2E%2e",
  ".%2e",
  "%2e.",
  "%252e%252e",
  "%25252e",
  "%2f",
  "%2F",
  "%5c",
  "%5C",
  "\\",
  "",
  "%00",
  "%0a",
  "%zz",
  "%",
  "%c0%ae",
  "..;",
  ".env",
  "a%2fb",
  "@evil.example",
  "evil.example:80",
  "http:",
  "%3f",
  "%23",
  "models",
  "admin",
  "keys",
  "gpt-4o-mini",
  "file-abc123",
];

/** A path built from those pieces, with or without a query string. */
export const anyPath = fc
  .tuple(
    fc.array(fc.constantFrom(...PATH_PIECES), { minLength: 0, maxLength: 6 }),
    fc.constantFrom("", "?a=1", "?next=/../admin", "?x=%2e%2e%2f"),
    fc.constantFrom("/", "//", "\\", ""),
  )
  .map(([pieces, query, lead]) => `${lead}${pieces.join("/")}${query}`);
