import Keyv from "keyv";

/**
 * A Keyv whose reads and writes all fail, as a store that is down does (`ECONNREFUSED`): for tests
 * that a storage fault is a miss plus an `error` event, never a failed call.
 */
export function refusingStore(): Keyv {
  const refuse = async (): Promise<never> => {
    throw new Error("ECONNREFUSED");
  };
  return new Keyv({
    store: { get: refuse, set: refuse, delete: async () => false, clear: async () => {} } as never,
  });
}
