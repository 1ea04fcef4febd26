/**
 * Where everything the command prints goes: stdout for results, stderr for messages, logs
 * and errors. One place scrubs the secrets the command read (credentials, the webhook
 * secret) from every line, whoever wrote it, and keeps `@effect/cli`'s own error text for
 * the entry point to print as one line.
 */
import type * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { formatWithOptions } from "node:util"
import * as Ansi from "./ansi.js"

/** The streams the command writes to. */
export interface Streams {
  readonly stdout: { write: (text: string) => unknown; readonly isTTY?: boolean; readonly columns?: number }
  readonly stderr: { write: (text: string) => unknown; readonly isTTY?: boolean }
  readonly env: Readonly<Record<string, string | undefined>>
}

/** The output service. */
export interface Service {
  /** A line on stdout. */
  readonly out: (line: string) => Effect.Effect<void>
  /** A line on stderr. */
  readonly err: (line: string) => Effect.Effect<void>
  /** Raw text on stdout (the live view). */
  readonly write: (text: string) => Effect.Effect<void>
  /** The same, outside Effect (loggers, finalizers). */
  readonly unsafeErr: (line: string) => void
  readonly unsafeWrite: (text: string) => void
  /** Whether stdout is a terminal. */
  readonly isTTY: boolean
  /** Whether to color (a terminal, and `NO_COLOR` unset). */
  readonly color: boolean
  /** The terminal's width (80 when unknown). */
  readonly columns: () => number
  /** From now on, `secret` is printed as `***` wherever it appears. */
  readonly addSecret: (secret: string) => Effect.Effect<void>
  /** Keeps a line `@effect/cli` wrote with `Console.error` (its validation messages) unprinted. */
  readonly capture: (line: string) => void
  /** The lines kept by `capture`, emptied. */
  readonly takeCaptured: Effect.Effect<ReadonlyArray<string>>
}

/** The output service's tag. */
export class Output extends Context.Tag("@effect-bankconnect/cli/Output")<Output, Service>() {}

/** The shortest secret scrubbed: shorter ones would mangle ordinary text (the client refuses them). */
const minSecretLength = 8

/** The ways a secret may be written: as is, URL-encoded, JSON-escaped. */
const forms = (secret: string): ReadonlyArray<string> =>
  Array.from(new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]))

/** Builds the service over the given streams. */
export const make = (streams: Streams): Service => {
  const secrets: Array<string> = []
  const captured: Array<string> = []
  const scrub = (text: string) => {
    let out = text
    for (const secret of secrets) out = out.split(secret).join("***")
    return out
  }
  const unsafeWrite = (text: string) => void streams.stdout.write(scrub(text))
  const unsafeErr = (line: string) => void streams.stderr.write(scrub(line) + "\n")
  const isTTY = streams.stdout.isTTY === true
  return {
    out: (line) => Effect.sync(() => unsafeWrite(line + "\n")),
    err: (line) => Effect.sync(() => unsafeErr(line)),
    write: (text) => Effect.sync(() => unsafeWrite(text)),
    unsafeErr,
    unsafeWrite,
    isTTY,
    color: isTTY && (streams.env.NO_COLOR ?? "") === "",
    columns: () => {
      const columns = streams.stdout.columns
      return typeof columns === "number" && columns > 0 ? columns : 80
    },
    addSecret: (secret) =>
      Effect.sync(() => {
        if (secret.length < minSecretLength) return
        for (const form of forms(secret)) if (!secrets.includes(form)) secrets.push(form)
        // longest first, so that a form containing another is replaced whole
        secrets.sort((a, b) => b.length - a.length)
      }),
    capture: (line) => void captured.push(scrub(line)),
    takeCaptured: Effect.sync(() => captured.splice(0, captured.length))
  }
}

/** The process' own streams and environment. */
export const layer: Layer.Layer<Output> = Layer.sync(
  Output,
  () => make({ stdout: process.stdout, stderr: process.stderr, env: process.env })
)

const format = (args: ReadonlyArray<unknown>) => formatWithOptions({ colors: false }, ...args)

/**
 * A `Console` over the output: `log` (help, version, completions) to stdout through the
 * scrubber; `error` captured, for `@effect/cli`'s validation messages (the entry point prints
 * them as one line); the rest to stderr.
 */
export const console = (output: Service, base: Console.Console): Console.Console => {
  const toErr = (...args: ReadonlyArray<unknown>) => output.err(format(args))
  // `@effect/cli` colors its help whatever the output: plain text off a terminal
  const plain = (text: string) => (output.color ? text : Ansi.strip(text))
  const unsafe: Console.UnsafeConsole = {
    ...base.unsafe,
    log: (...args) => output.unsafeWrite(plain(format(args)) + "\n"),
    info: (...args) => output.unsafeErr(format(args)),
    warn: (...args) => output.unsafeErr(format(args)),
    debug: (...args) => output.unsafeErr(format(args)),
    trace: (...args) => output.unsafeErr(format(args)),
    error: (...args) => output.capture(format(args))
  }
  return {
    ...base,
    log: (...args) => output.out(plain(format(args))),
    info: toErr,
    warn: toErr,
    debug: toErr,
    trace: toErr,
    error: (...args) => Effect.sync(() => output.capture(format(args))),
    unsafe
  }
}
