import * as ParseResult from "effect/ParseResult"

/**
 * A schema error as short `path: message` parts, for people reading an error message.
 *
 * @internal
 */
export const format = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message)
    .join("; ")
