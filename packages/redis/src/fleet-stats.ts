import { randomUUID } from "node:crypto";
import type { RedisClientConnectionType } from "@keyv/redis";
import {
  type CacheEvents,
  errorCodes,
  type RecallCache,
  RecallError,
  type StatsSnapshot,
} from "@recall/core";
import {
  type AnyRedisClient,
  closeClient,
  firstConnection,
  isReady,
  type RedisConnection,
  resolveClient,
  sendBounded,
  withTimeout,
} from "./client.js";
import {
  addHash,
  addSavings,
  addSlot,
  C,
  type FleetSnapshot,
  newSlot,
  observe,
  type Slot,
  type Slots,
  slotFields,
  slotIn,
  snapshotOf,
} from "./fleet-fields.js";

export type {
  FleetLatency,
  FleetModelStats,
  FleetSnapshot,
  LatencyFigure as FleetLatencyFigure,
} from "./fleet-fields.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How long Redis remembers an instance's last applied flush (so a retried flush is not counted twice). */
const SEQ_TTL_MS = HOUR;
/** Misses waiting for their answer's `store` or `reject` event, at most (the oldest are dropped). */
const MAX_PENDING_MISSES = 10_000;
/** Series (namespace × model) per flush script at most. */
const SERIES_PER_SCRIPT = 500;

export interface FleetStatsOptions {
  /**
   * Where the fleet's stats live: a URL (`redis://host:6379`), a node-redis 5 client (single node or
   * cluster), what `redisRecall()` returned (its client is shared), or `{ url | client | cluster }`.
   */
  redis: string | AnyRedisClient | RedisClientConnectionType | { client: AnyRedisClient } | RedisConnection;
  /** Key prefix, shared by every instance of one fleet. Default `recall`. */
  prefix?: string;
  /**
   * How long buckets are kept, in ms: minute buckets for `minutes` (default 3 hours), then only
   * their roll-up into hour buckets, kept for `hours` (default 7 days).
   */
  retention?: { minutes?: number; hours?: number };
  /** How often this instance adds its counts to Redis, in ms. Default 2000. */
  flushMs?: number;
  /** Bound on each flush and read command, in ms. Default 1000. */
  commandTimeoutMs?: number;
  /**
   * Counts kept in memory while Redis cannot take them, in series-minutes (one namespace and model
   * during one minute). Past it the oldest are dropped (and reported). Default 10,000.
   */
  maxPending?: number;
  /** Told of failed flushes, dropped counts and connection errors. Calls are never affected. */
  onError?: (error: RecallError) => void;
  /** The clock (ms since the epoch). For tests. Default `Date.now`. */
  now?: () => number;
  /** Bucket lengths in ms, for tests: `hour` must be a multiple of `minute`. Default 60 s and 1 h. */
  bucketMs?: { minute?: number; hour?: number };
}

/** A time range, ms since the epoch: [from, to). */
export interface FleetRange {
  from?: number;
  to?: number;
}

export interface FleetSeriesOptions extends FleetRange {
  /** Bucket of each point. Default: `minute` for ranges up to 3 hours, else `hour`. */
  step?: "minute" | "hour";
}

/** One bucket of a series. */
export interface FleetPoint {
  /** The bucket's start, ms since the epoch. */
  at: number;
  stepMs: number;
  /** The counts of this bucket alone. */
  window: StatsSnapshot;
  /**
   * The counts from the series' start to this bucket's end (cumulative, like the dashboard's samples
   * of `cache.stats.snapshot()`: a `StatsPoint` of `@recall/express`'s dashboard).
   */
  snapshot: StatsSnapshot;
  /** Shares of this bucket's lookups answered each way (0 when none). */
  rates: { exact: number; semantic: number; coalesced: number; stale: number; miss: number };
  /** What this bucket's hits saved, and what the verifier (judge) cost, in US dollars. */
  savedUsd: number;
  judgeUsd: number;
}

export interface FleetStats {
  /** For the dashboard (`StatsSource`): what the figures cover. */
  readonly label: string;
  readonly fleet: true;
  readonly note: string;
  /**
   * Every instance's counts summed over `range` (default: the whole retention), in core's
   * `StatsSnapshot` shape plus per-model counts and hit/miss latencies. Rejects when Redis cannot
   * answer. Shows what the instances have flushed (up to `flushMs` behind).
   */
  snapshot(range?: FleetRange): Promise<FleetSnapshot>;
  /** Points per minute or hour over a range (default: the last hour, per minute), oldest first. */
  series(options?: FleetSeriesOptions): Promise<FleetPoint[]>;
  /** Adds this instance's counts to Redis now (the timer does it every `flushMs`). Never rejects. */
  flush(): Promise<void>;
  /** Stops listening, flushes once more, and closes the connection if it opened it. */
  close(): Promise<void>;
}

// Adds a batch of counts, once per instance sequence number: a flush retried after a timeout (that
// may have run anyway) is not counted twice. Counts go to the minute key, and to the hour key too once
// that hour has been rolled up, so that the hour key never misses a late flush.
// KEYS[1]: the instance's last applied seq; then per minute, its minute key and its hour key.
// ARGV: seq, seq TTL, then per minute: keep minute (1/0), minute TTL, hour TTL, n, n field/value pairs.
const FLUSH = `
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local a = 3
for k = 2, #KEYS, 2 do
  local mk, hk = KEYS[k], KEYS[k + 1]
  local keep = ARGV[a] == '1'
  local mttl, httl, n = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
  a = a + 4
  local rolled = redis.call('HEXISTS', hk, '~rolled') == 1
  for i = a, a + 2 * n - 1, 2 do
    if keep then redis.call('HINCRBYFLOAT', mk, ARGV[i], ARGV[i + 1]) end
    if rolled then redis.call('HINCRBYFLOAT', hk, ARGV[i], ARGV[i + 1]) end
  end
  a = a + 2 * n
  if keep then redis.call('PEXPIRE', mk, mttl) end
  if rolled then redis.call('PEXPIRE', hk, httl) end
end
return 1`;

// Sums an hour's minute keys into its hour key, once (the '~rolled' field marks it). An hour without
// counts keeps only its mark, and only as long as its minute keys would have lived (a late flush for
// it can come no later): an idle fleet does not leave a key per hour for the whole retention.
// KEYS[1]: the hour key, KEYS[2..]: its minute keys. ARGV[1]: the hour key's TTL, ARGV[2]: an empty one's.
const ROLLUP = `
if redis.call('HEXISTS', KEYS[1], '~rolled') == 1 then return 0 end
local added = 0
for k = 2, #KEYS do
  local kv = redis.call('HGETALL', KEYS[k])
  for i = 1, #kv, 2 do redis.call('HINCRBYFLOAT', KEYS[1], kv[i], kv[i + 1]) end
  added = added + #kv
end
redis.call('HSET', KEYS[1], '~rolled', '1')
redis.call('PEXPIRE', KEYS[1], added > 0 and ARGV[1] or ARGV[2])
return 1`;

interface Batch {
  seq: number;
  /** When it was first sent; past the seq's memory in Redis it is dropped rather than risk counting twice. */
  firstSentAt?: number;
  minutes: Map<number, Slots>;
  slots: number;
}

/**
 * Fleet stats: every instance adds its counts to Redis, so that any of them (and the dashboard)
 * sees the whole fleet. A listener of the cache's events, like core's own `cache.stats`: a hit costs
 * a few increments in memory, never a Redis command. Every `flushMs`, one script adds the counts to
 * per-minute hashes (`HINCRBYFLOAT`), and each hour that ends is rolled up into an hour hash; keys
 * expire after the retention. A Redis failure goes to `onError` and never touches a call; counts not
 * flushed are kept for the next flush, up to `maxPending`.
 *
 * @example
 * const redis = redisRecall({ url: process.env.REDIS_URL });
 * const cache = createCache({ ...redis });
 * const fleet = fleetStats(cache, { redis });
 * const lastHour = await fleet.snapshot({ from: Date.now() - 3_600_000 }); // every instance, summed
 * app.use("/recall", dashboard(cache, { source: fleet })); // @recall/express
 * // on shutdown: await fleet.close(), before redis.close()
 */
export function fleetStats(cache: Pick<RecallCache, "on">, options: FleetStatsOptions): FleetStats {
  return new FleetStatsImpl(cache, options);
}

function invalid(message: string): never {
  throw new RecallError(errorCodes.INVALID_OPTION, `fleetStats: ${message}`);
}

function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    invalid(`${name} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function connectionOf(redis: FleetStatsOptions["redis"]): RedisConnection {
  if (typeof redis === "string") return { url: redis };
  if (typeof redis !== "object" || redis === null) invalid("redis must be a URL, a client or redisRecall()");
  if (typeof (redis as { sendCommand?: unknown }).sendCommand === "function") {
    return { client: redis as AnyRedisClient };
  }
  const given = redis as RedisConnection;
  return {
    ...(given.client ? { client: given.client } : {}),
    ...(given.url ? { url: given.url } : {}),
    ...(given.cluster ? { cluster: given.cluster } : {}),
  };
}

class FleetStatsImpl implements FleetStats {
  readonly label = "fleet (Redis)";
  readonly fleet = true as const;
  readonly note: string;
  private readonly client: AnyRedisClient;
  private readonly owned: boolean;
  private readonly tag: string;
  private readonly seqKey: string;
  private readonly minuteMs: number;
  private readonly hourMs: number;
  private readonly keepMinutesMs: number;
  private readonly keepHoursMs: number;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly now: () => number;
  private readonly onError: (error: RecallError) => void;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly timer: ReturnType<typeof setInterval>;

  /** Counts not yet sent, by minute; `current` is the minute being counted. */
  private pending = new Map<number, Slots>();
  private current: Slots = new Map();
  private minuteStart = 0;
  private minuteEnd = 0;
  /** Series-minutes counted and not yet sent, and sent but to retry. */
  private buffered = 0;
  private retrying = 0;
  private dropped = 0;
  /** Counts past `maxPending` land here and are never sent. */
  private readonly spare = newSlot();
  /** Sent, failed, to be sent again with the same seq. */
  private readonly retry: Batch[] = [];
  private seq = 0;
  private lastRolled = Number.NEGATIVE_INFINITY;
  private readonly pendingMisses = new Map<string, number>();
  private flushing: Promise<void> | undefined;
  private closed = false;
  private connectedOnce = false;

  constructor(cache: Pick<RecallCache, "on">, options: FleetStatsOptions) {
    if (typeof cache?.on !== "function") invalid("needs a Recall cache (createCache())");
    if (typeof options !== "object" || options === null) invalid("options must be an object");
    const prefix = options.prefix ?? "recall";
    if (typeof prefix !== "string" || prefix === "" || /[{}]/.test(prefix)) {
      invalid(`prefix must be a non-empty string without braces, got ${JSON.stringify(prefix)}`);
    }
    this.minuteMs = positive(options.bucketMs?.minute, "bucketMs.minute", MINUTE);
    this.hourMs = positive(options.bucketMs?.hour, "bucketMs.hour", HOUR);
    if (this.hourMs % this.minuteMs !== 0 || this.hourMs / this.minuteMs > 1_000) {
      invalid("bucketMs.hour must be a multiple of bucketMs.minute (at most 1000 of them)");
    }
    this.keepMinutesMs = positive(options.retention?.minutes, "retention.minutes", 3 * HOUR);
    this.keepHoursMs = positive(options.retention?.hours, "retention.hours", 7 * DAY);
    // An hour is rolled up from its minute keys after it ends (by the first flush of any instance
    // within the next hour): they must still be there.
    if (this.keepMinutesMs < 2 * this.hourMs) invalid("retention.minutes must be at least two hours");
    if (this.keepHoursMs < this.keepMinutesMs) invalid("retention.hours must be at least retention.minutes");
    const flushMs = positive(options.flushMs, "flushMs", 2_000);
    this.timeoutMs = positive(options.commandTimeoutMs, "commandTimeoutMs", 1_000);
    this.maxPending = positive(options.maxPending, "maxPending", 10_000);
    if (options.now !== undefined && typeof options.now !== "function") invalid("now must be a function");
    this.now = options.now ?? Date.now;
    const onError = options.onError;
    if (onError !== undefined && typeof onError !== "function") invalid("onError must be a function");
    this.onError = (error) => {
      try {
        onError?.(error);
      } catch {
        // A reporting bug must not break the flushes.
      }
    };
    const resolved = resolveClient(connectionOf(options.redis), "fleetStats", (error) =>
      this.onError(
        new RecallError(errorCodes.STORE_ERROR, `fleet stats: ${error.message}`, { cause: error }),
      ),
    );
    this.client = resolved.client;
    this.owned = resolved.owned;
    // One hash tag: on a Redis Cluster every fleet key is in one slot, so the scripts may touch several.
    this.tag = `{${prefix}:fleet}`;
    this.seqKey = `${this.tag}:i:${randomUUID()}`;
    this.note = `counts every instance has flushed (every ${flushMs / 1000} s); latencies from histograms (±9%)`;
    void firstConnection(this.client).then(() => {
      this.connectedOnce = true;
    });
    this.listen(cache);
    // The timer skips a round while a flush is under way (a slow Redis does not pile them up).
    this.timer = setInterval(() => {
      if (!this.flushing) void this.flush();
    }, flushMs);
    this.timer.unref?.();
  }

  // ---- counting (the hit path: memory only) ----

  private slot(namespace: string | undefined, model: string | undefined): Slot {
    const t = this.now();
    if (t >= this.minuteEnd || t < this.minuteStart) this.rotate(t);
    const ns = namespace ?? "(none)";
    const m = model ?? "(none)";
    const slot = this.current.get(ns)?.get(m);
    if (slot) return slot;
    if (this.buffered + this.retrying >= this.maxPending) {
      this.dropped++;
      return this.spare;
    }
    this.buffered++;
    return slotIn(this.current, ns, m);
  }

  private rotate(t: number): void {
    const minute = Math.floor(t / this.minuteMs);
    this.minuteStart = minute * this.minuteMs;
    this.minuteEnd = this.minuteStart + this.minuteMs;
    let slots = this.pending.get(minute);
    if (!slots) {
      slots = new Map();
      this.pending.set(minute, slots);
    }
    this.current = slots;
  }

  private listen(cache: Pick<RecallCache, "on">): void {
    const on = <E extends keyof CacheEvents>(name: E, apply: (s: Slot, e: CacheEvents[E]) => void) => {
      this.unsubscribe.push(
        cache.on(name, (event) => {
          const e = event as { namespace?: string; model?: string };
          apply(this.slot(e.namespace, e.model), event);
        }),
      );
    };
    const c = (s: Slot, i: number | undefined) => {
      // An index from an event's field this version does not know (a new `decidedBy`) counts nothing.
      if (i !== undefined) s.c[i] = s.c[i]! + 1;
    };
    const timed = (s: Slot, kind: number, ms: unknown) => {
      if (typeof ms === "number" && Number.isFinite(ms)) observe(s, kind, ms);
    };
    const SAVED = C["saved.inputTokens"];
    on("hit", (s, e) => {
      c(s, C.hits);
      addSavings(s.c, SAVED, e.saved);
      timed(s, 0, e.ms);
    });
    on("semantic-hit", (s, e) => {
      c(s, C.semanticHits);
      c(s, C[`semanticHitsBy.${e.decidedBy}`]);
      addSavings(s.c, SAVED, e.saved);
      timed(s, 1, e.ms);
    });
    on("coalesced", (s, e) => {
      c(s, C.coalesced);
      addSavings(s.c, SAVED, e.saved);
      timed(s, 2, e.ms);
    });
    on("stale", (s, e) => {
      c(s, C.stale);
      if (e.cause === "grace") c(s, C.graced);
      addSavings(s.c, SAVED, e.saved);
      timed(s, 3, e.ms);
    });
    on("miss", (s, e) => {
      c(s, C.misses);
      if (typeof e.startedAt !== "number") return;
      this.pendingMisses.delete(e.key);
      this.pendingMisses.set(e.key, e.startedAt);
      if (this.pendingMisses.size > MAX_PENDING_MISSES) {
        const oldest = this.pendingMisses.keys().next().value;
        if (oldest !== undefined) this.pendingMisses.delete(oldest);
      }
    });
    // A miss is timed from its lookup's start to its answer's `store` (or `reject`) event.
    const answered = (s: Slot, e: { key: string; startedAt?: number }) => {
      if (e.startedAt === undefined || this.pendingMisses.get(e.key) !== e.startedAt) return;
      this.pendingMisses.delete(e.key);
      observe(s, 4, performance.now() - e.startedAt);
    };
    on("store", (s, e) => {
      c(s, C.stores);
      answered(s, e);
    });
    on("reject", (s, e) => {
      c(s, C.rejects);
      answered(s, e);
    });
    on("refresh", (s, e) => c(s, C[`refreshes.${e.result}`]));
    on("bypass", (s) => c(s, C.bypasses));
    on("semantic-reject", (s) => c(s, C.semanticRejects));
    on("semantic-skip", (s) => c(s, C.semanticSkips));
    on("semantic-shed", (s) => c(s, C.semanticShed));
    on("error", (s) => c(s, C.errors));
    on("verify", (s, e) => {
      c(s, C["verify.calls"]);
      c(s, C[`verify.${e.decision}`]);
      if (e.failed) c(s, C["verify.failed"]);
      s.c[C["verify.ms"]] = s.c[C["verify.ms"]]! + e.ms;
      addSavings(s.c, C["verify.cost.inputTokens"], e.cost);
    });
    on("promote", (s) => c(s, C.promotions));
    on("feedback", (s, e) => c(s, e.wrong ? C["feedback.wrong"] : C["feedback.right"]));
    on("shadow", (s, e) => {
      c(s, C["shadow.candidates"]);
      if (e.decision === "same") c(s, C["shadow.judgedSame"]);
      if (e.decision === "different") c(s, C["shadow.judgedDifferent"]);
      if (e.answersAgree) c(s, C["shadow.answersAgree"]);
      if (e.wouldHit) {
        c(s, C["shadow.wouldHit"]);
        addSavings(s.c, C["shadow.wouldSave.inputTokens"], e.saved);
      }
    });
  }

  // ---- flushing ----

  flush(): Promise<void> {
    // After the flush under way (which may have started before the latest counts), one more.
    const run = () => this.flushOnce();
    const current: Promise<void> = (this.flushing ? this.flushing.then(run, run) : run()).finally(() => {
      if (this.flushing === current) this.flushing = undefined;
    });
    this.flushing = current;
    return current;
  }

  private report(message: string, cause?: unknown): void {
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    this.onError(new RecallError(errorCodes.STORE_ERROR, `fleet stats: ${message}${detail}`, { cause }));
  }

  private async flushOnce(): Promise<void> {
    try {
      await this.flushCounts();
    } catch (error) {
      this.report("flush failed", error);
    }
  }

  private async flushCounts(): Promise<void> {
    const now = this.now();
    if (this.dropped > 0) {
      this.report(
        `${this.dropped} events not counted: more than maxPending (${this.maxPending}) series-minutes unsent`,
      );
      this.dropped = 0;
    }
    if (!isReady(this.client) && !this.connectedOnce) {
      await withTimeout(firstConnection(this.client), this.timeoutMs, "connect").catch(() => {});
    }
    // While Redis is away, counts keep accumulating by minute (nothing sent, so nothing to retry).
    if (!isReady(this.client)) return;
    this.takePending();
    const calls: Array<Promise<unknown>> = [];
    const rolling: number[] = [];
    const hourNow = Math.floor(now / this.hourMs);
    // Hours whose minute keys are all still there, ended and not rolled up by this instance yet.
    const firstAlive = Math.floor((now - this.minuteMs - this.keepMinutesMs) / this.hourMs) + 1;
    for (let h = Math.max(this.lastRolled + 1, firstAlive); h < hourNow; h++) {
      rolling.push(h);
      calls.push(this.rollup(h, now));
    }
    const batches = this.retry.filter((b) => {
      if (b.firstSentAt === undefined || now - b.firstSentAt < SEQ_TTL_MS - 10 * MINUTE) return true;
      this.report(`a flush of ${b.slots} series-minutes failed for too long; dropped`);
      return false;
    });
    this.retry.length = 0;
    for (const b of batches) {
      b.firstSentAt ??= now;
      calls.push(this.send(b, now));
    }
    const results = await Promise.allSettled(calls);
    let failure: unknown;
    for (const [i, h] of rolling.entries()) {
      const r = results[i]!;
      if (r.status === "rejected") {
        failure ??= r.reason;
        break;
      }
      this.lastRolled = h;
    }
    for (const [i, b] of batches.entries()) {
      const r = results[rolling.length + i]!;
      if (r.status === "fulfilled") continue;
      failure ??= r.reason;
      this.retry.push(b);
    }
    this.trimRetry();
    if (failure !== undefined) this.report("flush failed; counts kept for the next one", failure);
  }

  /** Moves the counts of every minute into a new batch (to send), and starts counting afresh. */
  private takePending(): void {
    // One script per minute and per 500 series at most: after a long outage, many short scripts
    // rather than one that holds Redis for long.
    let batch: Batch | undefined;
    for (const [minute, byNs] of this.pending) {
      batch = undefined;
      for (const [ns, byModel] of byNs) {
        for (const [model, slot] of byModel) {
          if (!batch || batch.slots >= SERIES_PER_SCRIPT) {
            batch = { seq: ++this.seq, minutes: new Map([[minute, new Map()]]), slots: 0 };
            this.retry.push(batch);
          }
          const slots = batch.minutes.get(minute)!;
          const models = slots.get(ns) ?? new Map<string, Slot>();
          slots.set(ns, models.set(model, slot));
          batch.slots++;
          this.retrying++;
        }
      }
    }
    this.pending = new Map();
    this.minuteEnd = 0; // the next event starts a new minute map
    this.buffered = 0;
  }

  /** Keeps batches to retry within `maxPending` series-minutes, dropping the oldest. */
  private trimRetry(): void {
    let total = this.retry.reduce((n, b) => n + b.slots, 0);
    while (total > this.maxPending && this.retry.length > 0) {
      const old = this.retry.shift()!;
      total -= old.slots;
      this.report(`${old.slots} series-minutes dropped: more than maxPending (${this.maxPending}) unsent`);
    }
    this.retrying = total;
  }

  private minuteKey(minute: number): string {
    return `${this.tag}:m:${minute}`;
  }

  private hourKey(hour: number): string {
    return `${this.tag}:h:${hour}`;
  }

  private send(batch: Batch, now: number): Promise<unknown> {
    const keys = [this.seqKey];
    const args = [String(batch.seq), String(SEQ_TTL_MS)];
    const perHour = this.hourMs / this.minuteMs;
    for (const [minute, byNs] of batch.minutes) {
      const hour = Math.floor(minute / perHour);
      const minuteTtl = (minute + 1) * this.minuteMs + this.keepMinutesMs - now;
      const hourTtl = (hour + 1) * this.hourMs + this.keepHoursMs - now;
      if (hourTtl <= 0) continue; // older than the retention
      const fields: string[] = [];
      for (const [ns, byModel] of byNs)
        for (const [model, slot] of byModel) slotFields(ns, model, slot, fields);
      keys.push(this.minuteKey(minute), this.hourKey(hour));
      args.push(
        minuteTtl > 0 ? "1" : "0",
        String(Math.ceil(Math.max(1, minuteTtl))),
        String(Math.ceil(hourTtl)),
        String(fields.length / 2),
        ...fields,
      );
    }
    return sendBounded(
      this.client,
      ["EVAL", FLUSH, String(keys.length), ...keys, ...args],
      this.timeoutMs,
      keys[0],
    );
  }

  private rollup(hour: number, now: number): Promise<unknown> {
    const perHour = this.hourMs / this.minuteMs;
    const keys = [this.hourKey(hour)];
    for (let m = hour * perHour; m < (hour + 1) * perHour; m++) keys.push(this.minuteKey(m));
    const end = (hour + 1) * this.hourMs;
    const ttl = (ms: number) => String(Math.ceil(Math.max(1, ms)));
    return sendBounded(
      this.client,
      [
        "EVAL",
        ROLLUP,
        String(keys.length),
        ...keys,
        ttl(end + this.keepHoursMs - now),
        ttl(end + this.keepMinutesMs - now),
      ],
      this.timeoutMs,
      keys[0],
    );
  }

  // ---- reading ----

  private async read(keys: string[]): Promise<unknown[]> {
    try {
      return await Promise.all(keys.map((k) => sendBounded(this.client, ["HGETALL", k], this.timeoutMs, k)));
    } catch (error) {
      throw new RecallError(errorCodes.STORE_ERROR, `fleet stats: read failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async rolledHours(hours: number[]): Promise<boolean[]> {
    try {
      const replies = await Promise.all(
        hours.map((h) => {
          const key = this.hourKey(h);
          return sendBounded(this.client, ["HEXISTS", key, "~rolled"], this.timeoutMs, key);
        }),
      );
      return replies.map((r) => Number(r) === 1);
    } catch (error) {
      throw new RecallError(errorCodes.STORE_ERROR, `fleet stats: read failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * The keys that hold [from, to), hour by hour: the hour key where the hour is rolled up and either
   * wholly inside the range or too old for its minute keys (the range is then widened to the hour);
   * else its minute keys while they are kept; else the hour key (nothing left to read but a late flush).
   */
  private async plan(from: number, to: number, now: number): Promise<Array<{ at: number; keys: string[] }>> {
    if (to <= from) return [];
    const hours: number[] = [];
    for (let h = Math.floor(from / this.hourMs); h <= Math.floor((to - 1) / this.hourMs); h++) hours.push(h);
    const rolled = await this.rolledHours(hours);
    return hours.map((h, i) => {
      const hStart = h * this.hourMs;
      const hEnd = hStart + this.hourMs;
      const whole = hStart >= from && hEnd <= to;
      const minutesGone = hStart + this.minuteMs + this.keepMinutesMs <= now;
      if ((rolled[i] && whole) || minutesGone) return { at: hStart, keys: [this.hourKey(h)] };
      const keys: string[] = [];
      const m0 = Math.floor(Math.max(from, hStart) / this.minuteMs);
      const m1 = Math.ceil(Math.min(to, hEnd) / this.minuteMs);
      for (let m = m0; m < m1; m++) keys.push(this.minuteKey(m));
      return { at: m0 * this.minuteMs, keys };
    });
  }

  async snapshot(range: FleetRange = {}): Promise<FleetSnapshot> {
    const now = this.now();
    const earliest = now - this.keepHoursMs - this.hourMs;
    const from = Math.max(range.from ?? now - this.keepHoursMs, earliest);
    // Nothing is counted ahead of the clock: a range reaching far ahead reads no more keys.
    const to = Math.min(range.to ?? now + 1, now + this.hourMs);
    const plan = await this.plan(from, to, now);
    const slots: Slots = new Map();
    for (const reply of await this.read(plan.flatMap((p) => p.keys))) addHash(slots, reply);
    const start = plan[0]?.at ?? from;
    const last = plan.at(-1);
    // Read whole hours end on the hour; minute keys on their minute.
    const end = !last
      ? to
      : last.keys[0]?.includes(":h:")
        ? last.at + this.hourMs
        : Math.ceil(to / this.minuteMs) * this.minuteMs;
    return snapshotOf(slots, start, end);
  }

  async series(options: FleetSeriesOptions = {}): Promise<FleetPoint[]> {
    const now = this.now();
    const to = Math.min(options.to ?? now + 1, now + this.minuteMs);
    const requested = options.from ?? now - this.hourMs;
    const step = options.step ?? (to - requested <= 3 * this.hourMs ? "minute" : "hour");
    if (step !== "minute" && step !== "hour") invalid(`series: step must be "minute" or "hour"`);
    const stepMs = step === "minute" ? this.minuteMs : this.hourMs;
    // Minute points only while minute keys are kept; hour points over the whole retention.
    const keep = step === "minute" ? this.keepMinutesMs : this.keepHoursMs;
    const from = Math.max(requested, now - keep);
    const buckets: Array<{ at: number; keys: string[] }> = [];
    if (step === "hour") {
      // Each hour whole: from its hour key, or its minute keys while it is not rolled up.
      const start = Math.floor(from / stepMs) * stepMs;
      for (const group of await this.plan(start, Math.ceil(to / stepMs) * stepMs, now)) {
        buckets.push({ at: Math.floor(group.at / stepMs) * stepMs, keys: group.keys });
      }
    } else {
      for (let b = Math.floor(from / stepMs); b * stepMs < to; b++) {
        buckets.push({ at: b * stepMs, keys: [this.minuteKey(b)] });
      }
    }
    const replies = await this.read(buckets.flatMap((b) => b.keys));
    const running: Slots = new Map();
    const points: FleetPoint[] = [];
    let r = 0;
    for (const bucket of buckets) {
      const slots: Slots = new Map();
      for (const _ of bucket.keys) addHash(slots, replies[r++]);
      for (const [ns, byModel] of slots) {
        for (const [model, slot] of byModel) addSlot(slotIn(running, ns, model), slot);
      }
      const window = snapshotOf(slots, bucket.at, bucket.at + stepMs);
      const cumulative = snapshotOf(running, from, bucket.at + stepMs);
      const t = window.total;
      const lookups = t.hits + t.semanticHits + t.coalesced + t.stale + t.misses - t.graced;
      const share = (n: number) => (lookups > 0 ? n / lookups : 0);
      points.push({
        at: bucket.at,
        stepMs,
        window: { total: window.total, namespaces: window.namespaces },
        snapshot: { total: cumulative.total, namespaces: cumulative.namespaces },
        rates: {
          exact: share(t.hits),
          semantic: share(t.semanticHits),
          coalesced: share(t.coalesced),
          stale: share(t.stale),
          miss: share(t.misses - t.graced),
        },
        savedUsd: t.saved.usd,
        judgeUsd: t.verify.cost.usd,
      });
    }
    return points;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
    await this.flush();
    const unsent = this.retrying + this.buffered;
    if (unsent > 0) this.report(`closed with counts of ${unsent} series-minutes not flushed`);
    if (this.owned) await closeClient(this.client, undefined, this.timeoutMs);
  }
}
