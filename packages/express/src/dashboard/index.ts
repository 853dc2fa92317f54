import { errorCodes, type RecallCache, RecallError } from "@recall/core";
import { assertOption } from "@recall/core/adapter";
import express, { type Request, type RequestHandler, type Response, Router } from "express";
import { ApiError, bodyErrorToApiError, sendApiError } from "../errors.js";
import { accessGuard, type DashboardAuth } from "./access.js";
import { findEntry, searchEntries } from "./entries.js";
import { dashboardPage, PAGE_ICON, PAGE_SCRIPT, PAGE_STYLE } from "./page.js";
import { DashboardRecorder } from "./recorder.js";
import { cacheStatsSource, type StatsSource } from "./stats-source.js";

export interface DashboardOptions {
  /**
   * Who may use the dashboard. Without it, only requests from this machine (loopback) addressed to
   * localhost are answered; any other gets a 403. With it, `auth(req)` alone decides (false: 401).
   */
  auth?: DashboardAuth;
  /** The page's title. Default "Recall". */
  title?: string;
  /** Where the figures come from. Default: the cache's own stats (what this process served). */
  source?: StatsSource;
  /** How often the stats are sampled and the page polls, in ms. Default 5000. */
  intervalMs?: number;
  /** Samples kept in memory (a ring). Default 720 (an hour at 5 s). */
  points?: number;
}

/** The dashboard: an Express router to mount, with `close()` to stop its sampling and listeners. */
export type DashboardHandler = Router & { close(): void; recorder: DashboardRecorder };

const ENTRY_LIMIT_MAX = 500;
const MAX_TEXT = 4096;

/**
 * A dashboard for a cache, as an Express router: one page (HTML, CSS and script served from
 * memory, nothing from a CDN) and the JSON endpoints it polls. It shows hit rates over time per
 * namespace, tokens and money saved beside the judge's cost, latencies of hits and misses, the
 * latest semantic hits (with a "wrong hit" button), guard refusals, shadow mode, and the entries
 * (search, inspect, delete, purge a tag or a namespace).
 *
 * Only this machine may use it unless you pass `auth`; every action is a `POST` with a JSON body.
 *
 * @example
 * app.use("/recall", dashboard(cache));                           // http://localhost:3000/recall/
 * app.use("/recall", dashboard(cache, { auth: (req) => req.get("authorization") === `Bearer ${token}` }));
 */
export function dashboard(cache: RecallCache, options: DashboardOptions = {}): DashboardHandler {
  assertOption(
    typeof (cache as Partial<RecallCache> | undefined)?.entries === "function",
    "dashboard needs a Recall cache (createCache())",
  );
  assertOption(typeof options === "object" && options !== null, "dashboard options must be an object");
  assertOption(
    options.auth === undefined || typeof options.auth === "function",
    "dashboard: auth must be a function (req) => boolean | Promise<boolean>",
  );
  assertOption(
    options.title === undefined || (typeof options.title === "string" && options.title.length <= 200),
    "dashboard: title must be a string of at most 200 characters",
  );
  assertOption(
    options.source === undefined || typeof options.source?.snapshot === "function",
    "dashboard: source must be a StatsSource ({ snapshot() })",
  );
  const intervalMs = options.intervalMs ?? 5_000;
  assertOption(
    Number.isFinite(intervalMs) && intervalMs >= 100,
    "dashboard: intervalMs must be a number of ms, at least 100",
  );
  const points = options.points ?? 720;
  assertOption(Number.isInteger(points) && points >= 2, "dashboard: points must be an integer, at least 2");

  const title = options.title ?? "Recall";
  const source = options.source ?? cacheStatsSource(cache);
  const recorder = new DashboardRecorder(cache, source, { intervalMs, points });
  const page = dashboardPage(title);

  const router = Router();
  router.use(accessGuard(options.auth));
  router.use(securityHeaders);

  router.get("/", (req, res) => {
    // Relative links need the trailing slash: /recall → /recall/.
    // The mount path as matched, never the raw URL (a leading "//" would redirect to another host).
    const path = req.originalUrl.split("?")[0] ?? "";
    if (!path.endsWith("/")) return res.redirect(308, `/${req.baseUrl.replace(/^\/+/, "")}/`);
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(page);
  });
  router.get("/app.js", (_req, res) => {
    res.setHeader("Content-Type", "text/javascript; charset=utf-8");
    res.end(PAGE_SCRIPT);
  });
  router.get("/favicon.svg", (_req, res) => {
    res.setHeader("Content-Type", "image/svg+xml");
    res.end(PAGE_ICON);
  });
  router.get("/app.css", (_req, res) => {
    res.setHeader("Content-Type", "text/css; charset=utf-8");
    res.end(PAGE_STYLE);
  });

  /** The source's figures; latency and per-model counts from it when it has them, else this process's. */
  const figures = async () => {
    const { latency, models, ...stats } = await source.snapshot();
    return {
      stats,
      latency: latency
        ? { ...latency, hitsTimed: true, missesTimed: true, scope: source.label ?? "the source" }
        : { ...recorder.latency(), scope: "this process" },
      models: models
        ? {
            scope: source.label ?? "the source",
            rows: models.map(({ namespace, model, stats: s }) => ({
              namespace,
              model,
              exact: s.hits,
              semantic: s.semanticHits,
              coalesced: s.coalesced,
              stale: s.stale,
              misses: s.misses,
            })),
          }
        : { scope: "this process", rows: recorder.byModel() },
    };
  };
  router.get(
    "/api/state",
    json(async () => ({
      title,
      now: Date.now(),
      intervalMs,
      source: {
        label: source.label ?? "custom source",
        fleet: source.fleet === true,
        note: source.note ?? null,
      },
      semantic: cache.semantic
        ? { mode: cache.semantic.mode, threshold: cache.semantic.threshold }
        : { mode: "off", threshold: null },
      ...(await figures()),
      semanticHits: recorder.latestSemanticHits(),
      guard: recorder.guardRefusals(),
    })),
  );
  router.get(
    "/api/series",
    json(async (req) => {
      const since = numberParam(req, "since", 0);
      return { intervalMs, points: await recorder.series(since) };
    }),
  );
  router.get(
    "/api/entries",
    json(async (req) => {
      const query = textParam(req, "q");
      const namespace = textParam(req, "namespace");
      const limit = numberParam(req, "limit", 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > ENTRY_LIMIT_MAX)
        throw new ApiError(
          400,
          `"limit" must be an integer from 1 to ${ENTRY_LIMIT_MAX}.`,
          "limit",
          "invalid_param",
        );
      return searchEntries(cache, {
        limit,
        ...(query ? { query } : {}),
        ...(namespace ? { namespace } : {}),
      });
    }),
  );
  router.get(
    "/api/entry",
    json(async (req) => {
      const key = textParam(req, "key");
      if (!key)
        throw new ApiError(400, "Give the entry's key: GET api/entry?key=<key>.", "key", "invalid_param");
      const entry = await findEntry(cache, key);
      if (!entry)
        throw new ApiError(
          404,
          "No entry has this key (it may have expired or been deleted).",
          "key",
          "not_found",
        );
      return { entry };
    }),
  );

  router.all(
    "/api/feedback",
    action({ id: "string", wrong: "boolean" }, async ({ id, wrong }) => {
      try {
        const result = await cache.feedback(id as string, { wrong: wrong as boolean });
        recorder.markReported(id as string, wrong as boolean, result.action);
        return result;
      } catch (error) {
        if (error instanceof RecallError && error.code === errorCodes.INVALID_REQUEST)
          throw new ApiError(400, `${error.message}.`, "id", "invalid_hit_id");
        throw error;
      }
    }),
  );
  router.all(
    "/api/delete",
    action({ key: "string" }, async ({ key }) => {
      await cache.delete(key as string);
      return { deleted: key };
    }),
  );
  router.all(
    "/api/purge",
    action({ tag: "string?", namespace: "string?" }, async ({ tag, namespace }) => {
      if ((tag === undefined) === (namespace === undefined))
        throw new ApiError(
          400,
          'Purge one thing at a time: { "tag": "<tag>" } or { "namespace": "<namespace>" }.',
          null,
          "invalid_body",
        );
      const purged =
        tag !== undefined
          ? await cache.purgeTag(tag as string)
          : await cache.purgeNamespace(namespace as string);
      return { purged, ...(tag !== undefined ? { tag } : { namespace }) };
    }),
  );
  router.use("/api", (req, res) =>
    sendApiError(
      res,
      new ApiError(404, `The dashboard has no endpoint ${req.method} api${req.path}.`, null, "not_found"),
    ),
  );
  router.use((error: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (res.headersSent) return next(error);
    sendApiError(res, new ApiError(500, "The dashboard failed to answer.", null, "dashboard_error"));
  });

  return Object.assign(router, { close: () => recorder.close(), recorder });
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader(
    "Content-Security-Policy",
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cache-Control", "no-store");
  next();
};

/** A GET handler answering JSON; an ApiError is its 4xx, anything else the router's 500. */
function json(handle: (req: Request) => Promise<unknown>): RequestHandler {
  return async (req, res, next) => {
    try {
      res.json(await handle(req));
    } catch (error) {
      if (error instanceof ApiError) return sendApiError(res, error);
      next(error);
    }
  };
}

function textParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string" || value.length > MAX_TEXT)
    throw new ApiError(
      400,
      `"${name}" must be one string of at most ${MAX_TEXT} characters.`,
      name,
      "invalid_param",
    );
  return value;
}

function numberParam(req: Request, name: string, fallback: number): number {
  const text = textParam(req, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ApiError(400, `"${name}" must be a number.`, name, "invalid_param");
  return value;
}

type FieldType = "string" | "boolean" | "string?";
const parseJson = express.json({ limit: "16kb" });

/**
 * A write action: `POST` with a JSON object body of exactly these fields. Anything else is a 4xx
 * saying what is wrong: another method (405), another content type (415), bad JSON or fields (400).
 */
function action(
  fields: Record<string, FieldType>,
  handle: (body: Record<string, string | boolean | undefined>) => Promise<unknown>,
): RequestHandler {
  const shape = `{ ${Object.entries(fields)
    .map(
      ([k, t]) =>
        `"${k}": ${t.startsWith("string") ? `"…"` : "true | false"}${t.endsWith("?") ? " (optional)" : ""}`,
    )
    .join(", ")} }`;
  return (req, res, next) => {
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      return sendApiError(
        res,
        new ApiError(
          405,
          `Use POST with a JSON body ${shape}, not ${req.method}.`,
          null,
          "method_not_allowed",
        ),
      );
    }
    if (!req.is("application/json")) {
      return sendApiError(
        res,
        new ApiError(
          415,
          `Send a JSON body ${shape} with Content-Type: application/json.`,
          null,
          "unsupported_media_type",
        ),
      );
    }
    const run = async () => {
      try {
        res.json(await handle(readBody(req.body, fields, shape)));
      } catch (error) {
        if (error instanceof ApiError) return sendApiError(res, error);
        next(error);
      }
    };
    if (req.body !== undefined) return void run();
    parseJson(req, res, (error?: unknown) => {
      if (error === undefined) return void run();
      const apiError = bodyErrorToApiError(error as Error);
      if (apiError) return sendApiError(res, apiError);
      next(error);
    });
  };
}

function readBody(
  body: unknown,
  fields: Record<string, FieldType>,
  shape: string,
): Record<string, string | boolean | undefined> {
  const bad = (message: string, param: string | null = null) =>
    new ApiError(400, message, param, "invalid_body");
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw bad(`The body must be a JSON object ${shape}.`);
  const given = body as Record<string, unknown>;
  for (const name of Object.keys(given))
    if (!(name in fields))
      throw bad(`${JSON.stringify(name).slice(0, 60)} is not a field here; send ${shape}.`, name);
  const out: Record<string, string | boolean | undefined> = {};
  for (const [name, type] of Object.entries(fields)) {
    const value = given[name];
    if (value === undefined && type === "string?") continue;
    if (
      type === "boolean"
        ? typeof value !== "boolean"
        : typeof value !== "string" || value.length === 0 || value.length > MAX_TEXT
    )
      throw bad(
        `"${name}" must be ${type === "boolean" ? "true or false" : `a non-empty string of at most ${MAX_TEXT} characters`}.`,
        name,
      );
    out[name] = value as string | boolean;
  }
  return out;
}

export type { DashboardAuth } from "./access.js";
export { isLoopbackAddress } from "./access.js";
export type { EntryDetail, EntrySearch, EntrySummary } from "./entries.js";
export type { PointCounts, RejectRecord, SemanticHitRecord, SeriesPoint } from "./recorder.js";
export { DashboardRecorder } from "./recorder.js";
export type {
  LatencyFigure,
  SourceLatency,
  SourceSnapshot,
  StatsPoint,
  StatsSource,
} from "./stats-source.js";
export { cacheStatsSource } from "./stats-source.js";
