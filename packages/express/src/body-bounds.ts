import { ApiError } from "./errors.js";

/**
 * Limits on the shape of a parsed request body, checked before anything walks it recursively
 * (validation, cache-key building, `JSON.stringify` on the way upstream): a body nested thousands
 * deep would otherwise overflow the stack somewhere far from the request and surface as a 5xx.
 */
export interface BodyBounds {
  /** Deepest nesting of objects and arrays; the body itself is level 1. */
  maxDepth: number;
  /** Most elements of one array, or members of one object. */
  maxLength: number;
  /** Longest string (OpenAI's own limit on a message's content). */
  maxStringLength: number;
  /** Most values in the whole body (also bounds a programmatic body with shared references). */
  maxValues: number;
}

export const DEFAULT_BODY_BOUNDS: Readonly<BodyBounds> = {
  maxDepth: 64,
  maxLength: 100_000,
  maxStringLength: 10_485_760,
  maxValues: 5_000_000,
};

/** One value waiting to be checked: its parent's frame and its name there, for the error's path. */
interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number | undefined;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of a frame as the error names it: `messages[2].tool_calls[0]`, `metadata["a b"]`. */
export function framePath(frame: Frame): string {
  const keys: Array<string | number> = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.push(f.key);
  let out = "";
  for (const key of keys.reverse()) {
    if (typeof key === "number") out += `[${key}]`;
    else if (IDENTIFIER.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;
  }
  return out;
}

function tooLarge(frame: Frame, message: string, code: string): ApiError {
  // The body itself has no path; name it as `body` so the error always names a field.
  const path = framePath(frame) || "body";
  return new ApiError(400, `Invalid '${path}': ${message}`, path, code);
}

/**
 * Checks a parsed body against `bounds` without recursion (an explicit stack, so an arbitrarily
 * deep body costs no stack and is refused at the first level past the limit). Throws a 400
 * `ApiError` naming the path of the first value out of bounds. A cycle is refused as too deep.
 */
export function checkBodyBounds(body: unknown, bounds: Readonly<BodyBounds> = DEFAULT_BODY_BOUNDS): void {
  const stack: Frame[] = [{ value: body, depth: 1, parent: undefined, key: undefined }];
  let values = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, depth } = frame;
    if (++values > bounds.maxValues) {
      throw tooLarge(frame, `the body holds more than ${bounds.maxValues} values.`, "body_too_large");
    }
    if (typeof value === "string") {
      if (value.length > bounds.maxStringLength) {
        throw tooLarge(
          frame,
          `string too long. Expected a string with maximum length ${bounds.maxStringLength}, but got a string with length ${value.length} instead.`,
          "string_above_max_length",
        );
      }
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth > bounds.maxDepth) {
      throw tooLarge(
        frame,
        `nested too deeply. Objects and arrays may be nested at most ${bounds.maxDepth} levels deep.`,
        "nested_too_deeply",
      );
    }
    if (Array.isArray(value)) {
      if (value.length > bounds.maxLength) {
        throw tooLarge(
          frame,
          `array too long. Expected an array with maximum length ${bounds.maxLength}, but got an array with length ${value.length} instead.`,
          "array_above_max_length",
        );
      }
      // Pushed last to first, so the first element is checked first (the error names the first bad one).
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], depth: depth + 1, parent: frame, key: i });
      }
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > bounds.maxLength) {
      throw tooLarge(
        frame,
        `too many members. Expected an object with at most ${bounds.maxLength} members, but got ${keys.length}.`,
        "object_above_max_length",
      );
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, parent: frame, key });
    }
  }
}
