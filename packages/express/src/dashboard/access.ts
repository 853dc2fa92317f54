import { isIP } from "node:net";
import type { Request, RequestHandler } from "express";
import { ApiError, sendApiError } from "../errors.js";

/** Decides whether a request may use the dashboard (read it and act on it). */
export type DashboardAuth = (req: Request) => boolean | Promise<boolean>;

/** Is this socket address the machine itself (127.0.0.0/8, ::1, or either mapped into IPv6)? */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith("127.");
  return plain === "::1" || plain === "0:0:0:0:0:0:0:1";
}

/** Host names a browser on this machine uses for it; any other `Host` may be DNS rebinding. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  let name = host.toLowerCase();
  if (name.startsWith("[")) name = name.slice(1, name.indexOf("]"));
  else if (name.includes(":")) name = name.slice(0, name.lastIndexOf(":"));
  return (
    name === "localhost" ||
    name.endsWith(".localhost") ||
    name === "::1" ||
    (isIP(name) === 4 && name.startsWith("127."))
  );
}

/**
 * Who may use the dashboard. Without `auth`, only this machine: the socket's peer address must be
 * loopback (never `X-Forwarded-For`, which a client sets), and the `Host` header must name loopback
 * too, so a web page whose domain was re-pointed at 127.0.0.1 (DNS rebinding) is refused. With
 * `auth`, `auth(req)` alone decides. Either way a request carrying an `Origin` of another site is
 * refused, so no other page can drive the dashboard's actions from a visitor's browser.
 */
export function accessGuard(auth: DashboardAuth | undefined): RequestHandler {
  return async (req, res, next) => {
    try {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== "null" && !sameOrigin(origin, req.headers.host)) {
        return sendApiError(
          res,
          new ApiError(
            403,
            `The Recall dashboard refuses requests from another origin (${origin.slice(0, 100)}).`,
            null,
            "cross_origin",
          ),
        );
      }
      if (auth) {
        let allowed = false;
        try {
          allowed = (await auth(req)) === true;
        } catch {
          allowed = false;
        }
        if (!allowed)
          return sendApiError(
            res,
            new ApiError(
              401,
              "The Recall dashboard's auth function refused this request.",
              null,
              "unauthorized",
            ),
          );
        return next();
      }
      if (!isLoopbackAddress(req.socket.remoteAddress)) {
        return sendApiError(
          res,
          new ApiError(
            403,
            "The Recall dashboard answers only requests from this machine (loopback: 127.0.0.1 or ::1). " +
              "To serve it to other machines, give it an auth function: dashboard(cache, { auth: (req) => … }).",
            null,
            "not_loopback",
          ),
        );
      }
      if (!isLoopbackHost(req.headers.host)) {
        return sendApiError(
          res,
          new ApiError(
            403,
            "The Recall dashboard without an auth function answers only requests addressed to localhost, " +
              "127.0.0.1 or [::1] (another Host may be a DNS-rebinding attack).",
            null,
            "not_loopback_host",
          ),
        );
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
