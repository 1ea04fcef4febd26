import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

// The tolerant fields of the lifecycle models: a field read from whatever the API sends by a
// plain function, its absence read as a fallback, and an error that names the kind of value
// found, never the value (a report link or a PDF password must not reach a message).

/**
 * What kind of value a field held, for an error message.
 *
 * @internal
 */
export const kind = (u: unknown): string =>
  u === null ? "null" : Array.isArray(u) ? "an array" : typeof u === "object" ? "an object" : `a ${typeof u}`

/**
 * A field read from any value by `read` (`undefined`: not readable), `fallback` when absent,
 * written back by `write`.
 *
 * @internal
 */
export const wire = <A, E = A>(
  read: (u: unknown) => A | undefined,
  type: Schema.Schema<A>,
  expected: string,
  fallback: () => A,
  write: (a: A) => E = (a) => a as unknown as E
) =>
  Schema.optionalWith(
    Schema.transformOrFail(Schema.Unknown, type, {
      strict: true,
      decode: (u, _, ast) => {
        const value = read(u)
        return value === undefined
          ? ParseResult.fail(new ParseResult.Type(ast, u, `Expected ${expected}, got ${kind(u)}`))
          : ParseResult.succeed(value)
      },
      encode: (a) => ParseResult.succeed(write(a))
    }),
    { exact: true, default: fallback }
  )
