/**
 * BANKCONNECT_LOG for the Effect examples, read as `AsyncClient.make` reads it: the least
 * severe log line printed, one of debug, info, warning, error or none (default info).
 * `debug` shows the client's retries and skipped polls.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

const levels: Record<string, LogLevel.LogLevel> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  none: LogLevel.None
}

/** BANKCONNECT_LOG as a log level; unset or empty is info, a name not listed fails. */
export const logLevelConfig: Config.Config<LogLevel.LogLevel> = Config.string().pipe(
  Config.mapOrFail((name) => {
    if (name === "") return Either.right(LogLevel.Info)
    const level = Object.hasOwn(levels, name.toLowerCase()) ? levels[name.toLowerCase()] : undefined
    return level !== undefined ? Either.right(level) : Either.left(ConfigError.InvalidData(
      [],
      `expected one of ${Object.keys(levels).join(", ")}; got ${JSON.stringify(name)}`
    ))
  }),
  Config.nested("BANKCONNECT_LOG"),
  Config.withDefault(LogLevel.Info)
)

/** `Logger.minimumLogLevel` from BANKCONNECT_LOG: provide it to the whole program. */
export const logLevelLayer: Layer.Layer<never, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(logLevelConfig, Logger.minimumLogLevel)
)
