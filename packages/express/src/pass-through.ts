import { assertOption } from "@recall/core/adapter";
import type { RequestHandler } from "express";
import { ApiError, sendApiError } from "./errors.js";
import { upstreamUnreachable } from "./proxy-json.js";
import { forwardUnchanged, type UpstreamConfig } from "./upstream.js";

/**
 * A route the proxy forwards upstream uncached (with the server's key, when it holds one), relative
 * to where the proxy is mounted:
 * - a path pattern, `"/models/:id"` (`:name` stands for one path segment): `GET` and `HEAD` only;
 * - a method and a pattern, `"POST /responses"`, `"* /files/:id"` (`*`: any method);
 * - a `RegExp` tested on the path (no query string): `GET` and `HEAD` only. Anchor it (`^…$`);
 * - `{ method, path }`: one method or a list (`"*"` for any), and a pattern or a `RegExp`.
 * `GET` always allows `HEAD` too.
 */
export type PassThroughRoute =
  | string
  | RegExp
  | { method: string | readonly string[]; path: string | RegExp };

/**
 * Which routes besides the cached ones are forwarded: `false` none; a list, those routes; `true`
 * every route with any method, which is unsafe whenever the proxy holds the upstream key (anyone who
 * reaches the proxy can then delete files, start fine-tuning jobs, …).
 */
export type PassThroughOption = boolean | readonly PassThroughRoute[];

/** The default: listing models and reading one, which only read. */
export const DEFAULT_PASS_THROUGH: readonly PassThroughRoute[] = ["/models", "/models/:id"];

/** Whether a request (its method, and its path relative to the mount, without query) is forwarded. */
export type PassThroughMatcher = (method: string, path: string) => boolean;

interface CompiledRoute {
  /** Upper-case methods, or undefined for any. */
  methods: Set<string> | undefined;
  path: RegExp;
}

const READ_ONLY = ["GET"];
const METHOD = /^[A-Z]+$/;
/** A literal path segment: URL path characters, not starting with a dot, no percent-encoding. */
const LITERAL_SEGMENT = /^[A-Za-z0-9_~!$&'()*+,;=@-][A-Za-z0-9._~!$&'()*+,;=:@-]*$/;
const PARAM_SEGMENT = /^:[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Compiles and checks the `passThrough` option once, at creation: a bad entry throws
 * `RECALL_INVALID_OPTION` naming it. Default (undefined): `DEFAULT_PASS_THROUGH`.
 */
export function passThroughMatcher(option: PassThroughOption | undefined): PassThroughMatcher {
  if (option === true) return () => true;
  if (option === false) return () => false;
  const routes = option === undefined ? DEFAULT_PASS_THROUGH : option;
  assertOption(
    Array.isArray(routes),
    `passThrough must be true, false or an array of routes, got ${describe(routes)}`,
  );
  const compiled = routes.map((route, i) => compileRoute(route, `passThrough[${i}]`));
  return (method, path) => {
    const upper = method.toUpperCase();
    const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    return compiled.some((route) => (!route.methods || route.methods.has(upper)) && route.path.test(trimmed));
  };
}

function compileRoute(route: PassThroughRoute, name: string): CompiledRoute {
  if (typeof route === "string") {
    const space = route.indexOf(" ");
    if (space === -1) return { methods: methodSet(READ_ONLY, name), path: compilePath(route, name) };
    return {
      methods: methodSet([route.slice(0, space)], name),
      path: compilePath(route.slice(space + 1).trim(), name),
    };
  }
  if (route instanceof RegExp)
    return { methods: methodSet(READ_ONLY, name), path: checkedRegExp(route, name) };
  assertOption(
    typeof route === "object" && route !== null && !Array.isArray(route),
    `${name} must be a path pattern, a RegExp or { method, path }, got ${describe(route)}`,
  );
  const extra = Object.keys(route).filter((k) => k !== "method" && k !== "path");
  assertOption(
    extra.length === 0,
    `${name} has unknown members: ${extra.join(", ")} (expected method, path)`,
  );
  const methods = typeof route.method === "string" ? [route.method] : route.method;
  assertOption(
    Array.isArray(methods) && methods.length > 0,
    `${name}.method must be a method name or a non-empty list of them, got ${describe(route.method)}`,
  );
  const path =
    route.path instanceof RegExp
      ? checkedRegExp(route.path, `${name}.path`)
      : compilePath(route.path, `${name}.path`);
  return { methods: methodSet(methods, `${name}.method`), path };
}

/** Upper-cased methods (`GET` adds `HEAD`), or undefined when `*` allows any. */
function methodSet(methods: readonly unknown[], name: string): Set<string> | undefined {
  const set = new Set<string>();
  for (const method of methods) {
    assertOption(
      typeof method === "string" && (method === "*" || METHOD.test(method.toUpperCase())),
      `${name}: ${describe(method)} is not an HTTP method (GET, POST, …) or "*"`,
    );
    if (method === "*") return undefined;
    const upper = method.toUpperCase();
    set.add(upper);
    if (upper === "GET") set.add("HEAD");
  }
  return set;
}

/** `/models/:id` as an anchored RegExp; each literal segment is matched exactly. */
function compilePath(pattern: unknown, name: string): RegExp {
  assertOption(
    typeof pattern === "string" && pattern.startsWith("/"),
    `${name} must be a path starting with "/" (like "/models/:id"), got ${describe(pattern)}`,
  );
  if (pattern === "/") return /^\/$/;
  const segments = pattern.slice(1).split("/");
  const parts = segments.map((segment) => {
    if (PARAM_SEGMENT.test(segment)) return "[^/]+";
    assertOption(
      LITERAL_SEGMENT.test(segment),
      `${name}: the segment ${JSON.stringify(segment)} of ${JSON.stringify(pattern)} is not allowed (empty, dot, encoded or unusual characters)`,
    );
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^/${parts.join("/")}$`);
}

function checkedRegExp(pattern: RegExp, name: string): RegExp {
  // A global or sticky RegExp remembers where it last matched, so `test` would flip-flop.
  assertOption(
    !pattern.global && !pattern.sticky,
    `${name}: a RegExp with the g or y flag matches statefully`,
  );
  return pattern;
}

function describe(value: unknown): string {
  if (value instanceof RegExp) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The proxy's handler for every route it does not cache: forwarded (uncached, `X-Recall-Cache:
 * BYPASS`) when `allowed`, else 404 in OpenAI's error shape naming the route.
 */
export function passThroughHandler(allowed: PassThroughMatcher, upstream: UpstreamConfig): RequestHandler {
  return async (req, res) => {
    if (!allowed(req.method, req.path)) {
      const route = `${req.method} ${req.baseUrl}${req.path}`.slice(0, 300);
      sendApiError(
        res,
        new ApiError(404, `The route ${route} is not served by this proxy.`, null, "route_not_served"),
      );
      return;
    }
    try {
      await forwardUnchanged(req, res, upstream);
    } catch (error) {
      if (error instanceof ApiError) sendApiError(res, error);
      else upstreamUnreachable(req, res, upstream, error);
    }
  };
}
