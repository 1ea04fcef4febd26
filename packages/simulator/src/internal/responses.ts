import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Arr from "effect/Array"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"

/** The longest message of one issue in a formatted schema error, in characters. */
const maxIssueLength = 300

/** Whether a value is small enough to show in a message (walks at most about 200 nodes or characters). */
const isSmall = (value: unknown): boolean => {
  let budget = 200
  const go = (v: unknown): boolean => {
    budget -= typeof v === "string" ? v.length + 1 : 1
    if (budget < 0) return false
    if (typeof v !== "object" || v === null) return true
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (!go(v[i])) return false
      return true
    }
    for (const key in v) if (!go((v as Record<string, unknown>)[key])) return false
    return true
  }
  return go(value)
}

/** A stand-in for a value too big to show: messages print it as a short description. */
const described = (value: unknown) => ({
  toString: () =>
    Array.isArray(value)
      ? `an array of ${value.length} items`
      : typeof value === "string"
      ? `a string of ${value.length} characters`
      : "an object"
})

const isUndefinedType = (issue: ParseResult.ParseIssue) =>
  issue._tag === "Type" && issue.ast._tag === "UndefinedKeyword"

/**
 * The issues worth showing: an optional field's bad value also fails its `undefined`
 * alternative (whose message would repeat the whole value), so that alternative is left
 * out; and a value too big to show is described instead of printed, before any message is
 * made (making it would cost as much as the value is big).
 */
const telling = (issue: ParseResult.ParseIssue): ParseResult.ParseIssue => {
  switch (issue._tag) {
    case "Type":
      return Option.isSome(AST.getMessageAnnotation(issue.ast)) || isSmall(issue.actual)
        ? issue
        : new ParseResult.Type(issue.ast, described(issue.actual), issue.message)
    case "Pointer":
      return new ParseResult.Pointer(issue.path, issue.actual, telling(issue.issue))
    case "Refinement":
      return new ParseResult.Refinement(issue.ast, issue.actual, issue.kind, telling(issue.issue))
    case "Transformation":
      return new ParseResult.Transformation(issue.ast, issue.actual, issue.kind, telling(issue.issue))
    case "Composite": {
      const all = Arr.ensure<ParseResult.ParseIssue>(issue.issues)
      const kept = all.filter((i) => !isUndefinedType(i))
      const [first, ...rest] = (kept.length > 0 ? kept : all).map(telling)
      return first === undefined
        ? issue
        : new ParseResult.Composite(issue.ast, issue.actual, [first, ...rest], issue.output)
    }
    default:
      return issue
  }
}

/**
 * A schema error as short lines, `path: message`, for people reading a 400. Only the
 * telling issues are shown, each cut at `maxIssueLength` characters, so the answer stays
 * short and cheap whatever the input's size.
 *
 * @internal
 */
export const formatParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatIssueSync(telling(error.issue))
    .map((issue) => {
      const message = issue.message.length > maxIssueLength
        ? `${issue.message.slice(0, maxIssueLength)}…`
        : issue.message
      return issue.path.length > 0 ? `${issue.path.join(".")}: ${message}` : message
    })
    .join("; ")

/**
 * The API's error envelope.
 *
 * @internal
 */
export const apiError = (status: number, code: string, message: string) =>
  HttpServerResponse.unsafeJson({ error: { code, message } }, { status })

/**
 * A 400 for input the simulator cannot take.
 *
 * @internal
 */
export const badRequest = (message: string) => apiError(400, "BAD_REQUEST", message)

const pattern = (path: string) =>
  new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z]+/g, "[^/]+")}$`)

/**
 * Answers what no route takes with a JSON error: 405 with `Allow` for a known path and
 * another method, 404 for an unknown path, and 500 for anything that went wrong inside
 * (which never stops the server).
 *
 * @internal
 */
export const withFallbacks = <E, R>(router: HttpRouter.HttpRouter<E, R>) => {
  const routes = Chunk.toReadonlyArray(router.routes).map((route) => ({
    method: route.method,
    pattern: pattern(route.path)
  }))
  return router.pipe(
    Effect.catchAllCause((cause) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const path = request.url.split("?")[0] ?? "/"
        const allowed = routes.filter((route) => route.pattern.test(path)).map((route) => route.method)
        const notFound = cause._tag === "Fail" && (cause.error as { _tag?: unknown })._tag === "RouteNotFound"
        if (notFound && allowed.length > 0) {
          return HttpServerResponse.unsafeJson(
            { error: { code: "METHOD_NOT_ALLOWED", message: `${request.method} is not allowed on ${path}` } },
            { status: 405, headers: { allow: [...new Set(allowed)].join(", ") } }
          )
        }
        if (notFound) return apiError(404, "NOT_FOUND", `No route for ${request.method} ${path}`)
        yield* Effect.logError("simulator: a handler failed", cause)
        return apiError(500, "SIMULATOR_ERROR", "The simulator failed to handle this request")
      })
    )
  )
}
