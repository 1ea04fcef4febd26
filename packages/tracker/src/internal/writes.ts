import type * as TrackerStore from "../TrackerStore.js"

/**
 * What a batch of writes does, decided against the records as they stand: the results
 * in order, the records to persist (each session's final record in the batch) and the
 * events to add. Both stores run the same decisions; each only reads and persists.
 *
 * @internal
 */
export interface Plan {
  readonly results: ReadonlyArray<TrackerStore.WriteResult>
  readonly records: ReadonlyMap<string, TrackerStore.SessionRecord>
  readonly events: ReadonlyArray<TrackerStore.EventRecord>
}

/**
 * The sessions a batch reads before deciding.
 *
 * @internal
 */
export const sessionIds = (writes: ReadonlyArray<TrackerStore.Write>): ReadonlyArray<string> => {
  const ids = new Set<string>()
  for (const write of writes) ids.add(write._tag === "Update" ? write.session.sessionId : write.sessionId)
  return [...ids]
}

/** @internal */
export const plan = (
  writes: ReadonlyArray<TrackerStore.Write>,
  current: (sessionId: string) => TrackerStore.SessionRecord | undefined
): Plan => {
  const working = new Map<string, TrackerStore.SessionRecord | undefined>()
  const records = new Map<string, TrackerStore.SessionRecord>()
  const events: Array<TrackerStore.EventRecord> = []
  const results: Array<TrackerStore.WriteResult> = []
  const read = (sessionId: string) => working.has(sessionId) ? working.get(sessionId) : current(sessionId)
  const put = (record: TrackerStore.SessionRecord) => {
    working.set(record.sessionId, record)
    records.set(record.sessionId, record)
  }
  for (const write of writes) {
    switch (write._tag) {
      case "Track": {
        const existing = read(write.sessionId)
        if (existing !== undefined && existing.state !== "untracked") {
          results.push({ _tag: "Track", record: existing, event: undefined })
          break
        }
        const seq = (existing?.eventSeq ?? 0) + 1
        const event = write.tracked(seq)
        const record: TrackerStore.SessionRecord = {
          sessionId: write.sessionId,
          reference: write.reference,
          state: "tracking",
          trackedAt: write.at,
          updatedAt: write.at,
          deadline: write.deadline,
          progress: null,
          outcome: null,
          eventSeq: seq,
          owner: write.lease?.owner ?? existing?.owner ?? null,
          leaseUntil: write.lease?.until ?? existing?.leaseUntil ?? null
        }
        put(record)
        events.push(event)
        results.push({ _tag: "Track", record, event })
        break
      }
      case "Update": {
        const existing = read(write.session.sessionId)
        const owns = existing !== undefined && (write.owner === undefined || existing.owner === write.owner)
        const applies = owns && existing.state === "tracking" && existing.eventSeq < write.session.eventSeq
        if (applies) {
          // the lease is the store's: kept as it stands
          put({ ...write.session, owner: existing.owner ?? null, leaseUntil: existing.leaseUntil ?? null })
          for (const event of write.events) events.push(event)
        }
        // the same change written already (a batch retried after its commit's answer was
        // lost): it stands, and counts as applied
        const written = owns && existing.eventSeq === write.session.eventSeq && existing.state === write.session.state
        results.push({ _tag: "Update", applied: applies || written })
        break
      }
      case "Untrack": {
        const existing = read(write.sessionId)
        if (existing === undefined || existing.state === "untracked") {
          results.push({ _tag: "Untrack", previous: existing, untracked: false })
          break
        }
        put({ ...existing, state: "untracked", updatedAt: write.at, eventSeq: existing.eventSeq + 1 })
        results.push({ _tag: "Untrack", previous: existing, untracked: true })
        break
      }
    }
  }
  return { results, records, events }
}

/**
 * Outbox order: `createdAt`, then `sessionId`, then `seq`.
 *
 * @internal
 */
export const compareEvents = (a: TrackerStore.EventCursor, b: TrackerStore.EventCursor): number =>
  a.createdAt !== b.createdAt
    ? a.createdAt - b.createdAt
    : a.sessionId !== b.sessionId
    ? (a.sessionId < b.sessionId ? -1 : 1)
    : a.seq - b.seq
