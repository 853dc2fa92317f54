import type { CacheEntry, RecallCache } from "@recall/core";

/** An entry as the list shows it. */
export interface EntrySummary {
  key: string;
  namespace: string;
  model: string;
  question?: string;
  /** The answer's first characters. */
  preview: string;
  tags: string[];
  createdAt: number;
  expiresAt?: number;
  aliases: number;
}

/** One entry in full, for the page: never its vectors. */
export interface EntryDetail extends Omit<EntrySummary, "aliases" | "preview"> {
  answer: string;
  /** `true` when the answer was cut to `MAX_ANSWER` characters. */
  answerTruncated: boolean;
  finishReason?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
  ttl?: number;
  keepUntil?: number;
  expired: boolean;
  aliases: string[];
  /** Questions reported wrong for it (count), its own threshold, its learned observations (count). */
  refused: number;
  threshold?: number;
  observations: number;
}

export interface EntrySearch {
  entries: EntrySummary[];
  /** Entries read; the scan stops at `scanLimit`. */
  scanned: number;
  /** More matched than `limit`, or the scan stopped early. */
  truncated: boolean;
}

const PREVIEW = 160;
const MAX_ANSWER = 20_000;

/** The answer's text as stored (`response.text`), or its body as JSON when it has none. */
function answerText(entry: CacheEntry): string {
  if (typeof entry.response.text === "string") return entry.response.text;
  try {
    return JSON.stringify(entry.response.body) ?? "";
  } catch {
    return "";
  }
}

function summary(key: string, entry: CacheEntry): EntrySummary {
  const text = answerText(entry);
  return {
    key,
    namespace: entry.namespace,
    model: entry.model,
    ...(entry.question === undefined ? {} : { question: entry.question }),
    preview: text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text,
    tags: entry.tags ?? [],
    createdAt: entry.createdAt,
    ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt }),
    aliases: entry.aliases?.length ?? 0,
  };
}

/**
 * Entries whose key, question, aliases, tags or answer contain `query` (case-insensitive; every
 * entry for an empty one), of `namespace` when given, newest first. Reads at most `scanLimit`
 * entries of the store (`cache.entries()`).
 */
export async function searchEntries(
  cache: RecallCache,
  options: { query?: string; namespace?: string; limit?: number; scanLimit?: number },
): Promise<EntrySearch> {
  const query = (options.query ?? "").toLowerCase();
  const limit = options.limit ?? 50;
  const scanLimit = options.scanLimit ?? 10_000;
  const found: EntrySummary[] = [];
  let scanned = 0;
  let stopped = false;
  for await (const { key, entry } of cache.entries()) {
    if (scanned >= scanLimit) {
      stopped = true;
      break;
    }
    scanned++;
    if (options.namespace !== undefined && entry.namespace !== options.namespace) continue;
    if (query && !matches(key, entry, query)) continue;
    found.push(summary(key, entry));
  }
  found.sort((a, b) => b.createdAt - a.createdAt);
  return { entries: found.slice(0, limit), scanned, truncated: stopped || found.length > limit };
}

function matches(key: string, entry: CacheEntry, query: string): boolean {
  const texts = [key, entry.question ?? "", answerText(entry), ...(entry.tags ?? [])];
  for (const alias of entry.aliases ?? []) texts.push(alias.question);
  return texts.some((t) => t.toLowerCase().includes(query));
}

/** One entry by its key, or `undefined`. */
export async function findEntry(
  cache: RecallCache,
  key: string,
  now = Date.now(),
): Promise<EntryDetail | undefined> {
  for await (const item of cache.entries()) {
    if (item.key !== key) continue;
    const { entry } = item;
    const { aliases: _count, preview: _preview, ...base } = summary(key, entry);
    const text = answerText(entry);
    return {
      ...base,
      answer: text.length > MAX_ANSWER ? text.slice(0, MAX_ANSWER) : text,
      answerTruncated: text.length > MAX_ANSWER,
      ...(entry.response.finishReason === undefined ? {} : { finishReason: entry.response.finishReason }),
      ...(entry.response.usage === undefined ? {} : { usage: entry.response.usage }),
      ...(entry.ttl === undefined ? {} : { ttl: entry.ttl }),
      ...(entry.keepUntil === undefined ? {} : { keepUntil: entry.keepUntil }),
      expired: entry.expiresAt !== undefined && entry.expiresAt <= now,
      aliases: (entry.aliases ?? []).map((a) => a.question),
      refused: entry.refused?.length ?? 0,
      ...(entry.threshold === undefined ? {} : { threshold: entry.threshold }),
      observations: entry.evidence?.length ?? 0,
    };
  }
  return undefined;
}
