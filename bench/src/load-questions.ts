/**
 * Support questions for the load benchmark, generated from templates (no data files needed): an
 * intent is an action on a subject in a context ("reset my password from the mobile app"), and
 * each intent can be phrased six ways that mean the same. A new question is a new intent in its
 * first phrasing; a paraphrase is an earlier intent in another phrasing.
 */
import type { CacheRequest } from "@recall/core";
import { mulberry32 } from "@recall/core/testing";

const actions = [
  "change",
  "reset",
  "delete",
  "set up",
  "turn off",
  "rename",
  "restore",
  "share",
  "audit",
  "download",
  "update",
  "transfer",
];
const subjects = [
  "my password",
  "the billing address",
  "an API key",
  "two-factor authentication",
  "a webhook endpoint",
  "the team workspace",
  "the invoice PDF",
  "dark mode",
  "single sign-on with Okta",
  "the CSV export",
  "a scheduled backup",
  "email notifications",
  "the data retention period",
  "a custom domain",
  "a teammate's role",
  "the monthly usage report",
  "the rate limits",
  "the Slack integration",
  "my payment card",
  "the audit log",
  "a shared folder",
  "the default language",
  "my profile picture",
  "a project template",
  "the IP allow list",
  "the GitHub connection",
  "a support ticket",
  "the tax ID on invoices",
  "a sub-account",
  "the session timeout",
];
const contexts = [
  "",
  " on the free plan",
  " from the mobile app",
  " through the REST API",
  " for a sub-account",
  " after my trial ended",
  " without admin rights",
  " in the EU region",
  " from the command line",
  " for the whole organization",
];
const phrasings = [
  (what: string) => `How do I ${what}?`,
  (what: string) => `How can I ${what}?`,
  (what: string) => `What is the way to ${what}?`,
  (what: string) => `Is it possible to ${what}, and if so how?`,
  (what: string) => `Can you walk me through how to ${what}?`,
  (what: string) => `I need to ${what}. What are the steps?`,
];

const INTENTS = actions.length * subjects.length * contexts.length;
/** Coprime with INTENTS, so consecutive intents differ in action, subject and context. */
const STRIDE = 7_919;

/** The text of intent `intent` in phrasing `phrasing` (0 to 5). Intents past the template space get a case number. */
export function questionText(intent: number, phrasing: number): string {
  const slot = (intent * STRIDE) % INTENTS;
  const action = actions[slot % actions.length]!;
  const subject = subjects[Math.floor(slot / actions.length) % subjects.length]!;
  const context = contexts[Math.floor(slot / (actions.length * subjects.length)) % contexts.length]!;
  const round = Math.floor(intent / INTENTS);
  const what = `${action} ${subject}${context}${round ? ` (case ${round})` : ""}`;
  return phrasings[phrasing % phrasings.length]!(what);
}

export const PHRASINGS = phrasings.length;

/** The chat request a support app would send for `question`. */
export function ask(question: string): CacheRequest {
  return {
    model: { provider: "openai", id: "gpt-4.1-mini" },
    messages: [
      { role: "system", content: "You are the support assistant of Acme Cloud. Answer briefly." },
      { role: "user", content: question },
    ],
  };
}

/** A small seeded generator (mulberry32), so each client draws the same mix in every phase. */
export const seeded: (seed: number) => () => number = mulberry32;
