import * as Progress from "@effect-bankconnect/client/Progress"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TrackedSession from "../TrackedSession.js"
import { TrackerStoreError } from "../TrackerError.js"
import * as TrackerEvent from "../TrackerEvent.js"
import type * as TrackerStore from "../TrackerStore.js"

const decodeProgress = Schema.decodeUnknownSync(Progress.SessionProgress)

/**
 * A snapshot as stored, and as compared with the next one: its JSON. The decoded classes
 * hold exactly the wire fields (defaults filled in), so this is the wire form.
 *
 * @internal
 */
export const progressJson = (progress: Progress.SessionProgress): string => JSON.stringify(progress)

/** @internal */
export const toEventRecord = (
  event: TrackerEvent.TrackerEvent,
  acknowledgedAt: number | null
): TrackerStore.EventRecord => ({
  id: event.id,
  sessionId: event.sessionId,
  seq: event.seq,
  tag: event._tag,
  payload: TrackerEvent.encodeJson(event),
  createdAt: DateTime.toEpochMillis(event.at),
  acknowledgedAt
})

const utc = (millis: number) => DateTime.unsafeMake(millis)

/**
 * A stored record as the public model.
 *
 * @internal
 */
export const toTrackedSession = (
  record: TrackerStore.SessionRecord
): Effect.Effect<TrackedSession.TrackedSession, TrackerStoreError> =>
  Effect.try({
    try: () => {
      const outcome = record.outcome === null ? null : TrackerEvent.decodeJson(record.outcome)
      if (outcome !== null && !TrackerEvent.isOutcome(outcome)) {
        throw new Error(`the outcome of ${record.sessionId} is a ${outcome._tag} event`)
      }
      return new TrackedSession.TrackedSession({
        sessionId: record.sessionId,
        reference: record.reference,
        state: record.state,
        trackedAt: utc(record.trackedAt),
        updatedAt: utc(record.updatedAt),
        deadline: record.deadline === null ? null : utc(record.deadline),
        progress: record.progress === null ? null : decodeProgress(JSON.parse(record.progress)),
        outcome
        // built from values already typed: validating would compile a parser per call
      }, { disableValidation: true })
    },
    catch: (cause) =>
      new TrackerStoreError({
        operation: "decode",
        message: `The stored record of session ${JSON.stringify(record.sessionId.slice(0, 80))} does not decode: ${
          cause instanceof Error ? cause.message.slice(0, 500) : String(cause)
        }`,
        cause
      })
  })
