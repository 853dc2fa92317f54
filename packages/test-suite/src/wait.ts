let counter = 0;

/** A key, channel or partition name no other test (nor any earlier run) uses. */
export function fresh(what: string): string {
  return `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter++}`;
}

/** True if `promise` resolves within `withinMs`, false if it is still pending then; a rejection is thrown. */
export async function settles(promise: Promise<unknown>, withinMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), withinMs);
  });
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Checks every `stepMs` until `check()` is true (returns true) or `timeoutMs` passed (returns false). */
export async function until(check: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() >= end) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return true;
}
