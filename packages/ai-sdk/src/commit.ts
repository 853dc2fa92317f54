import type { CacheResponse, LookupMiss } from "@recall/core";
import { type RecallMetadata, recallMetadata } from "./provider-metadata.js";

/** The metadata of a fresh answer that was not stored. */
export function notStored(ticket: LookupMiss<unknown>): RecallMetadata {
  return recallMetadata({
    status: ticket.status,
    key: ticket.key,
    namespace: ticket.namespace,
    stored: false,
  });
}

/**
 * Commits a fresh answer and says what happened. Should building the response or committing it
 * throw, the ticket fails (which only matters before `commit`: a ticket settles once) and the
 * metadata says nothing was stored.
 */
export async function commitFresh<T>(
  ticket: LookupMiss<T>,
  response: () => CacheResponse<T>,
): Promise<RecallMetadata> {
  try {
    return recallMetadata(await ticket.commit(response()));
  } catch {
    ticket.fail();
    return notStored(ticket);
  }
}
