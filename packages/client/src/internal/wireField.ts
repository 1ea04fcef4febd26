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

/**
 * An open set of strings: the known values typed, any other string kept (the API adds
 * values over time).
 *
 * @internal
 */
export const open = <const Known extends ReadonlyArray<string>>(
  ...known: Known
): Schema.Schema<Known[number] | (string & {})> =>
  Schema.String.annotations({
    description: `one of ${known.map((k) => `"${k}"`).join(", ")}, or another string`
  }) as Schema.Schema<string> as Schema.Schema<Known[number] | (string & {})>

/**
 * A field that may be `null` or missing (read as `null`).
 *
 * @internal
 */
export const nullable = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/**
 * A string where `""` and `null` (and a missing field) all mean "none".
 *
 * @internal
 */
export const noneIfEmpty = <A extends string = string>(
  schema: Schema.Schema<A, string> = Schema.String as unknown as Schema.Schema<A, string>
) =>
  Schema.optionalWith(
    Schema.transform(Schema.NullOr(Schema.String), Schema.NullOr(schema), {
      strict: true,
      decode: (value) => value === "" ? null : value,
      encode: (value) => value
    }),
    { default: () => null }
  )
