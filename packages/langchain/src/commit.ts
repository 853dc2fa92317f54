import type { CacheOutcome, LookupMiss } from "@recall/core";
import { describeGenerations, type StoredGenerations } from "./generations.js";
import { containsSecret } from "@recall/core";

type Ticket = LookupMiss<StoredGenerations>;

/**
 * Settles a miss with the fresh answer: stored through the core (which validates it), unless the
 * answer somehow carries a credential of the call, in which case nothing is stored.
 */
export async function commitAnswer(
  ticket: Ticket,
  body: StoredGenerations,
  secrets: ReadonlySet<string>,
): Promise<CacheOutcome<StoredGenerations>> {
  if (containsSecret(JSON.stringify(body), secrets)) {
    ticket.fail();
    return {
      status: ticket.status,
      response: { body },
      key: ticket.key,
      namespace: ticket.namespace,
      stored: false,
      rejectedBecause: "the answer contains a credential",
    };
  }
  return ticket.commit(describeGenerations(body));
}
