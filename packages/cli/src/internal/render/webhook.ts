/**
 * A webhook event in words and as a JSON line: what `listen` prints for each delivery, the
 * account failures spelled out.
 */
import type * as WebhookPayload from "@effect-bankconnect/client/WebhookPayload"
import * as Format from "./format.js"

type UploadEvent = WebhookPayload.SessionRequirementCompletionNotification | WebhookPayload.SessionExpiryNotification

const uploadAccount = (account: WebhookPayload.UploadAccount) => ({
  account_id: account.account_id,
  bank_name: account.bank_name,
  account_number: account.account_number,
  account_status: account.account_status,
  months: account.months,
  missing_data: account.missing_data.map((gap) => ({ from: gap.from_date, to: gap.to_date }))
})

/** The event as a JSON line. */
export const json = (event: WebhookPayload.Event) => {
  switch (event._tag) {
    case "EnrichmentNotification":
      return {
        type: "event" as const,
        event_name: event.event_name,
        session_id: event.session_id,
        insights_available: event.insights_available,
        accounts: event.accounts.map((account) => ({
          account_id: account.account_id,
          bank_name: account.bank_name,
          account_status: account.account_status,
          failure: account.failure === null ? null : Format.failureJson(account.failure)
        }))
      }
    case "SessionRequirementCompletionNotification":
    case "SessionExpiryNotification":
      return {
        type: "event" as const,
        event_name: event.event_name,
        session_id: event.session_id,
        message: event.message,
        accounts: (event as UploadEvent).accounts.map(uploadAccount)
      }
    case "UnknownEvent":
      return { type: "event" as const, event_name: event.event_name, session_id: event.session_id, body: event.body }
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`

/** The event in words: a head line and a line per account. */
export const lines = (event: WebhookPayload.Event): ReadonlyArray<string> => {
  switch (event._tag) {
    case "EnrichmentNotification":
      return [
        `${event.event_name} session ${event.session_id}: ${plural(event.accounts.length, "account")}, ` +
        `insights available: ${Format.yesNo(event.insights_available)}`,
        ...event.accounts.map((account) =>
          `  account ${Format.accountName(account)}: ${
            account.failure === null ? account.account_status : `failed ${Format.describeFailure(account.failure)}`
          }`
        )
      ]
    case "SessionRequirementCompletionNotification":
    case "SessionExpiryNotification":
      return [
        `${event.event_name} session ${event.session_id}: ${event.message ?? "(no message)"}, ${
          plural(event.accounts.length, "account")
        }`,
        ...event.accounts.map((account) => {
          const months = account.months.length === 0
            ? "no months"
            : `${plural(account.months.length, "month")} (${account.months[0]} to ${
              account.months[account.months.length - 1]
            })`
          const gaps = account.missing_data.length === 0
            ? ""
            : `, missing ${account.missing_data.map((gap) => `${gap.from_date} to ${gap.to_date}`).join(", ")}`
          return `  account ${Format.accountName(account)}: ${account.account_status ?? "unknown"}, ${months}${gaps}`
        })
      ]
    case "UnknownEvent":
      return [`${event.event_name} session ${event.session_id ?? "(none)"}: an event this version does not know`]
  }
}
