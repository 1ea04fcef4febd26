/**
 * The options several commands share, and the value parsers (durations, ports, secrets).
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** `--json`: JSON lines on stdout. */
export const json = Options.boolean("json").pipe(
  Options.withDescription("Print JSON lines on stdout, one object per line (see the README for their shapes)")
)

/** `--verbose`: the debug log on stderr. */
export const verbose = Options.boolean("verbose").pipe(
  Options.withDescription("Log each request's retries and skipped polls (debug level) on stderr")
)

/** `--api-key`. */
export const apiKey = Options.redacted("api-key").pipe(
  Options.withPseudoName("KEY"),
  Options.withDescription("The API key (default: BANKCONNECT_API_KEY; prefer the variable: flags show in `ps`)"),
  Options.optional
)

/** `--server-hash`. */
export const serverHash = Options.redacted("server-hash").pipe(
  Options.withPseudoName("HASH"),
  Options.withDescription("The server hash (default: BANKCONNECT_SERVER_HASH)"),
  Options.optional
)

/** `--base-url`. */
export const baseUrl = Options.text("base-url").pipe(
  Options.withPseudoName("URL"),
  Options.withDescription(
    "The API's base URL (default: BANKCONNECT_BASE_URL, else https://apis.bankconnect.finbox.in/bank-connect)"
  ),
  Options.optional
)

/** The options of every command that calls the API. */
export const api = { apiKey, serverHash, baseUrl, json, verbose }

/** The options of the commands that do not call the API. */
export const local = { json, verbose }

const units: Record<string, number> = {
  ms: 1,
  millis: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000
}

/** `Options.mapEffect` fails with a `ValidationError`: one from a message. */
const invalid = (message: string) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))
const succeed = <A>(value: A) => Effect.succeed(value) as Effect.Effect<A, ValidationError.ValidationError>

/** `90s`, `10m`, `1h`, `500ms`, `2 minutes`, or a number of seconds. */
export const parseDuration = (text: string): Option.Option<Duration.Duration> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  if (match === null) return Option.none()
  const unit = match[2] === "" ? 1000 : units[match[2]!.toLowerCase()]
  const millis = Number(match[1]) * (unit ?? NaN)
  return Number.isFinite(millis) && millis > 0 ? Option.some(Duration.millis(millis)) : Option.none()
}

/** A duration option such as `--deadline 10m`. */
export const duration = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName("DURATION"),
    Options.withDescription(description),
    Options.mapEffect((text) =>
      Option.match(parseDuration(text), {
        onNone: () => invalid(`--${name}: expected a duration such as 90s, 10m or 1h, got ${JSON.stringify(text)}`),
        onSome: (value) => succeed(value)
      })
    )
  )

/** A port option without a default. */
export const portValue = (name: string, description: string) =>
  Options.integer(name).pipe(
    Options.withPseudoName("PORT"),
    Options.withDescription(description),
    Options.mapEffect((value) =>
      value >= 0 && value <= 65535 ? succeed(value) : invalid(`--${name}: expected 0 to 65535, got ${value}`)
    )
  )

/** A port option. */
export const port = (name: string, fallback: number, description: string) =>
  portValue(name, description).pipe(Options.withDefault(fallback))

/** `--secret`: the shared secret of the webhook receiver's `x-secret-key` header. */
export const secret = Options.redacted("secret").pipe(
  Options.withPseudoName("SECRET"),
  Options.withDescription(
    "A shared secret: deliveries without it in x-secret-key are refused (401), and forwards carry it"
  ),
  Options.mapEffect((value) => {
    const text = Redacted.value(value)
    return text.length === 0 || text.trim() !== text
      ? invalid("--secret: expected a value without leading or trailing whitespace")
      : succeed(value)
  }),
  Options.optional
)

/** `--host`: the interface a receiver listens on. */
export const host = Options.text("host").pipe(
  Options.withPseudoName("HOST"),
  Options.withDescription("The interface to listen on; 0.0.0.0 for deliveries from the network (set --secret then)"),
  Options.withDefault("127.0.0.1")
)

/** The webhook port `--listen` and `listen` take by default. */
export const defaultWebhookPort = 8080
