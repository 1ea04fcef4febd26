/**
 * The credentials and base URL: flags first (`--api-key`, `--server-hash`, `--base-url`),
 * then the environment (`BANKCONNECT_API_KEY`, `BANKCONNECT_SERVER_HASH`,
 * `BANKCONNECT_BASE_URL`), read and checked by the client's own `BankConnectClient.config`.
 * The credentials are registered with the output's scrubber before anything is sent.
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { UsageError } from "./errors.js"
import { Output } from "./output.js"

/** What the flags gave. */
export interface Flags {
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly serverHash: Option.Option<Redacted.Redacted<string>>
  readonly baseUrl: Option.Option<string>
}

const flagOf: Record<string, string> = {
  BANKCONNECT_API_KEY: "--api-key",
  BANKCONNECT_SERVER_HASH: "--server-hash",
  BANKCONNECT_BASE_URL: "--base-url"
}

/** The missing variables and the invalid ones' messages (never a value: the client's messages name none). */
const problems = (error: ConfigError.ConfigError) => {
  const missing: Array<string> = []
  const invalid: Array<string> = []
  const walk = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        walk(e.left)
        walk(e.right)
        return
      case "MissingData":
        missing.push(e.path.join("."))
        return
      default:
        invalid.push(e.message)
    }
  }
  walk(error)
  return { missing: Array.from(new Set(missing)), invalid: Array.from(new Set(invalid)) }
}

const usageOf = (error: ConfigError.ConfigError): UsageError => {
  const { invalid, missing } = problems(error)
  if (missing.length > 0) {
    const names = missing.join(" and ")
    const flags = missing.map((name) => flagOf[name] ?? name).join(" and ")
    return new UsageError({
      message: `${names} ${missing.length === 1 ? "is" : "are"} not set`,
      hint: `set ${missing.length === 1 ? "it" : "them"}, or pass ${flags}`
    })
  }
  return new UsageError({ message: invalid.join("; "), hint: "see --help" })
}

/**
 * Reads the settings, registers the credentials with the scrubber, and builds the client's
 * layer over `fetch` (the client sets `redirect: "manual"` on every request), through
 * `observe` when given (the tracker's `RateLimit.observe`, which tells it of each 429).
 */
export const clientLayer = (flags: Flags, observe?: (client: HttpClient.HttpClient) => HttpClient.HttpClient) =>
  Effect.gen(function*() {
    const given = new Map<string, string>()
    Option.map(flags.apiKey, (key) => given.set("BANKCONNECT_API_KEY", Redacted.value(key)))
    Option.map(flags.serverHash, (hash) => given.set("BANKCONNECT_SERVER_HASH", Redacted.value(hash)))
    Option.map(flags.baseUrl, (url) => given.set("BANKCONNECT_BASE_URL", url))
    const output = yield* Output
    // scrub what was given even when it turns out invalid
    for (const value of [flags.apiKey, flags.serverHash]) {
      if (Option.isSome(value)) yield* output.addSecret(Redacted.value(value.value))
    }
    const provider = ConfigProvider.fromMap(given).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
    const config = yield* BankConnectClient.config.pipe(
      Effect.withConfigProvider(provider),
      Effect.mapError(usageOf)
    )
    yield* output.addSecret(Redacted.value(config.apiKey))
    yield* output.addSecret(Redacted.value(config.serverHash))
    const baseUrl = Option.getOrElse(config.baseUrl, () => BankConnectClient.defaultBaseUrl)
    yield* Effect.logDebug(`bankconnect: base URL ${baseUrl}`)
    const transport = observe === undefined
      ? FetchHttpClient.layer
      : Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, observe)).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
    return BankConnectClient.layer({ apiKey: config.apiKey, serverHash: config.serverHash, baseUrl }).pipe(
      Layer.provide(transport)
    )
  })
