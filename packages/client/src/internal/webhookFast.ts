import type * as WebhookPayload from "../WebhookPayload.js"
import * as JsonDepth from "./jsonDepth.js"
import type * as Receiver from "./receiver.js"
import * as SessionIds from "./sessionIds.js"

// Deliveries are decoded by `WebhookPayload.decode`, through `Schema` and as an Effect:
// under load that was the largest share of a receiver's time per delivery (more than a
// whole raw `node:http` request). `ENRICHMENT_NOTIFICATION`s, nearly every delivery, have
// one plain shape, so a hand-written check of that shape builds the same classes for a
// fraction of the cost; any value off that shape (and every other event) goes to `decode`,
// whose error says what is wrong.

/** The classes the fast path builds (handed in: an internal imports public modules for types only). */
export interface Classes {
  readonly EnrichmentNotification: typeof WebhookPayload.EnrichmentNotification
  readonly EnrichmentAccount: typeof WebhookPayload.EnrichmentAccount
}

/** The fields the fast path knows; a schema with any other set is left to `decode` alone. */
const notificationFields = ["session_id", "event_name", "insights_available", "accounts"]
const accountFields = [
  "bank_name",
  "account_id",
  "account_status",
  "error_code",
  "error_message",
  "name",
  "account_category",
  "attempt_types"
]

const sameFields = (fields: object, known: ReadonlyArray<string>) => {
  const keys = Object.keys(fields)
  return keys.length === known.length && known.every((key) => keys.includes(key))
}

/** A nullable string as the schema reads it: `null` for `null` or a missing field; else no decoding. */
const text = (value: unknown): string | null | undefined =>
  typeof value === "string" ? value : value === null || value === undefined ? null : undefined

/** As {@link text}, with `""` read as `null` too (error codes and messages). */
const noneIfEmpty = (value: unknown): string | null | undefined => value === "" ? null : text(value)

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * A decoder that gives what `WebhookPayload.decode` gives for an `ENRICHMENT_NOTIFICATION`
 * of the documented shape (parsed JSON), and `undefined` for any other value. When the
 * classes' fields are not the ones it knows (the schema changed), it declines everything.
 *
 * @internal
 */
export const make = (classes: Classes): (json: unknown) => WebhookPayload.Event | undefined => {
  const { EnrichmentAccount, EnrichmentNotification } = classes
  if (
    !sameFields(EnrichmentNotification.fields, notificationFields) ||
    !sameFields(EnrichmentAccount.fields, accountFields)
  ) {
    return () => undefined
  }
  return (json) => {
    if (!isObject(json) || json["event_name"] !== "ENRICHMENT_NOTIFICATION") return undefined
    const sessionId = json["session_id"]
    if (typeof sessionId !== "string" || sessionId.length > SessionIds.maxLength) return undefined
    const insights = json["insights_available"]
    if (typeof insights !== "boolean" && insights !== null && insights !== undefined) return undefined
    const list = json["accounts"]
    const accounts: Array<WebhookPayload.EnrichmentAccount> = []
    if (list !== undefined && list !== null) {
      if (!Array.isArray(list)) return undefined
      for (const item of list) {
        if (!isObject(item)) return undefined
        const status = item["account_status"]
        if (typeof status !== "string") return undefined
        const bankName = text(item["bank_name"])
        const accountId = text(item["account_id"])
        const errorCode = noneIfEmpty(item["error_code"])
        const errorMessage = noneIfEmpty(item["error_message"])
        const name = text(item["name"])
        const category = text(item["account_category"])
        if (
          bankName === undefined || accountId === undefined || errorCode === undefined || errorMessage === undefined ||
          name === undefined || category === undefined
        ) return undefined
        const types = item["attempt_types"]
        const attemptTypes: Array<string> = []
        if (types !== undefined && types !== null) {
          if (!Array.isArray(types)) return undefined
          for (const type of types) {
            if (typeof type !== "string") return undefined
            attemptTypes.push(type)
          }
        }
        accounts.push(
          new EnrichmentAccount({
            bank_name: bankName,
            account_id: accountId,
            account_status: status,
            error_code: errorCode,
            error_message: errorMessage,
            name,
            account_category: category,
            attempt_types: attemptTypes
          }, true)
        )
      }
    }
    // what decode refuses before any schema: a body nested too deep (in fields the schema ignores)
    if (JsonDepth.tooDeep(json)) return undefined
    return new EnrichmentNotification({
      session_id: sessionId,
      event_name: "ENRICHMENT_NOTIFICATION",
      insights_available: insights ?? null,
      accounts
    }, true)
  }
}

/**
 * A receiver's decoder: `WebhookPayload.decode` with this fast path before it.
 *
 * @internal
 */
export const decoder = (payload: Classes & Pick<Receiver.Decoder, "decode">): Receiver.Decoder => ({
  decode: payload.decode,
  fast: make(payload)
})
