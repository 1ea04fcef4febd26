/**
 * `bankconnect listen [--port] [--secret] [--forward-to <url>]`: the webhook receiver
 * (`WebhookReceiver.httpApp`) on a local port, each event printed as it arrives (decoded,
 * failures spelled out), and each delivery the receiver read forwarded as it came (body,
 * content type, and the secret header when `--secret` is set) to a local URL.
 */
import * as WebhookPayload from "@effect-bankconnect/client/WebhookPayload"
import * as WebhookReceiver from "@effect-bankconnect/client/WebhookReceiver"
import * as WebhookServer from "@effect-bankconnect/client/WebhookServer"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createServer } from "node:http"
import * as Errors from "../errors.js"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Render from "../render/webhook.js"
import * as Runner from "../runner.js"

/** The receiver's body limit (its default), and what the server reads at most. */
const maxBodyBytes = 1024 * 1024

/** How long a forward may take. */
const forwardTimeout = Duration.seconds(10)

const forwardTo = Options.text("forward-to").pipe(
  Options.withPseudoName("URL"),
  Options.withDescription("Forward each delivery as it came (body, content type, secret header) to URL"),
  Options.optional
)

const path = Options.text("path").pipe(
  Options.withPseudoName("PATH"),
  Options.withDescription("The path deliveries are posted to"),
  Options.withDefault("/webhooks/bankconnect")
)

const time = () => new Date().toTimeString().slice(0, 8)

const isHttpUrl = (text: string) => {
  try {
    const url = new URL(text)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}

/** Why the receiver refused a delivery, from its status. */
const refusal = (status: number): string => {
  switch (status) {
    case 401:
      return "the secret header is missing or wrong"
    case 405:
      return "not a POST"
    case 413:
      return `the body is over ${maxBodyBytes} bytes`
    case 415:
      return "not application/json"
    case 503:
      return "the receiver is busy or the handler timed out; the sender retries"
    default:
      return `answered ${status}`
  }
}

const answerOf = (response: HttpServerResponse.HttpServerResponse): unknown => {
  if (response.body._tag !== "Uint8Array") return undefined
  try {
    return JSON.parse(new TextDecoder().decode(response.body.body))
  } catch {
    return undefined
  }
}

/** The command. */
export const command = Command.make(
  "listen",
  {
    port: Shared.port("port", Shared.defaultWebhookPort, "The port to listen on (0 picks a free one)"),
    host: Shared.host,
    path,
    secret: Shared.secret,
    forwardTo,
    ...Shared.local
  },
  (args) =>
    Runner.run(
      args,
      Effect.gen(function*() {
        const output = yield* Output
        const secret = Option.getOrUndefined(args.secret)
        if (secret !== undefined) yield* output.addSecret(Redacted.value(secret))
        const target = Option.getOrUndefined(args.forwardTo)
        if (target !== undefined && !isHttpUrl(target)) {
          return yield* new Errors.UsageError({
            message: `--forward-to: expected an absolute http(s) URL, got ${JSON.stringify(target)}`
          })
        }
        if (!args.path.startsWith("/")) {
          return yield* new Errors.UsageError({ message: `--path: expected a path starting with /` })
        }
        const print = (lines: ReadonlyArray<string>) =>
          Effect.forEach(lines, (line, i) => output.out(`${i === 0 ? time() : "        "} ${line}`), {
            discard: true
          })
        const printJson = (value: object) =>
          output.out(JSON.stringify({ ...value, received_at: new Date().toISOString() }))

        const receiver = WebhookReceiver.httpApp({
          secret,
          onEvent: (event) => (args.json ? printJson(Render.json(event)) : print(Render.lines(event))),
          onInvalid: (invalid) =>
            args.json
              ? printJson({ type: "invalid", reason: invalid.error.reason, message: invalid.error.message })
              : print([`invalid delivery (${invalid.error.reason}), answered 400: ${invalid.error.message}`])
        })

        const client = yield* HttpClient.HttpClient
        const forwards = yield* FiberSet.make()
        const forward = (url: string, body: Uint8Array, contentType: string) => {
          const started = Date.now()
          const request = HttpClientRequest.post(url).pipe(
            HttpClientRequest.bodyUint8Array(body, contentType),
            secret === undefined ? (r) => r : HttpClientRequest.setHeader("x-secret-key", Redacted.value(secret))
          )
          return client.execute(request).pipe(
            Effect.tap((response) => Effect.ignore(response.arrayBuffer)),
            Effect.timeout(forwardTimeout),
            Effect.matchEffect({
              onSuccess: (response) =>
                args.json
                  ? printJson({ type: "forward", url, status: response.status, millis: Date.now() - started })
                  : print([`--> POST ${url}: ${response.status} (${Date.now() - started} ms)`]),
              onFailure: (error) => {
                const reason = error._tag === "TimeoutException"
                  ? `no answer within ${Duration.format(forwardTimeout)}`
                  : error.message
                return args.json
                  ? printJson({ type: "forward", url, status: null, error: reason })
                  : print([`--> POST ${url} failed: ${reason}`])
              }
            }),
            Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" })
          )
        }

        const app = Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          if (new URL(request.url, "http://localhost").pathname !== args.path) {
            return HttpServerResponse.unsafeJson({ error: { code: "NOT_FOUND", message: "Not found" } }, {
              status: 404
            })
          }
          const hasBody = request.method !== "GET" && request.method !== "HEAD"
          const body = hasBody
            ? yield* Effect.option(Effect.map(request.arrayBuffer, (buffer) => new Uint8Array(buffer)))
            : Option.some(new Uint8Array())
          if (Option.isNone(body)) {
            if (args.json) yield* printJson({ type: "refused", status: 413, reason: refusal(413) })
            else yield* print([`refused a delivery, answered 413: ${refusal(413)}`])
            return HttpServerResponse.unsafeJson({ error: { code: "PAYLOAD_TOO_LARGE", message: refusal(413) } }, {
              status: 413,
              headers: { connection: "close" }
            })
          }
          const web = new Request(`http://localhost${request.url}`, {
            method: request.method,
            headers: request.headers,
            ...(hasBody ? { body: body.value } : {})
          })
          const response = yield* Effect.provideService(
            receiver,
            HttpServerRequest.HttpServerRequest,
            HttpServerRequest.fromWeb(web)
          )
          const answer = answerOf(response)
          if (response.status === 200 && (answer as { status?: unknown })?.status === "duplicate") {
            const event = yield* Effect.option(WebhookPayload.decode(body.value))
            const name = Option.match(event, {
              onNone: () => "an event",
              onSome: (e) => `${e.event_name} session ${e.session_id ?? "(none)"}`
            })
            if (args.json) {
              yield* printJson({
                type: "duplicate",
                event_name: Option.getOrNull(Option.map(event, (e) => e.event_name)),
                session_id: Option.getOrNull(Option.flatMap(event, (e) => Option.fromNullable(e.session_id)))
              })
            } else {
              yield* print([`duplicate delivery of ${name}: answered 200, not handled again`])
            }
          } else if (response.status !== 200 && response.status !== 400) {
            if (args.json) {
              yield* printJson({ type: "refused", status: response.status, reason: refusal(response.status) })
            } else yield* print([`refused a delivery, answered ${response.status}: ${refusal(response.status)}`])
          }
          if (target !== undefined && (response.status === 200 || response.status === 400)) {
            yield* FiberSet.run(
              forwards,
              forward(target, body.value, request.headers["content-type"] ?? "application/json")
            )
          }
          return response
        }).pipe(HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)))

        const server = yield* NodeHttpServer.make(
          () => createServer({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 }),
          {
            port: args.port,
            host: args.host
          }
        ).pipe(Effect.mapError((error) =>
          new WebhookServer.ServeError({
            message: `The webhook receiver could not start: ${
              error.cause instanceof Error ? error.cause.message : String(error.cause)
            }`
          })
        ))
        yield* server.serve(app)
        const port = server.address._tag === "TcpAddress" ? server.address.port : args.port
        const shownHost = args.host === "0.0.0.0" || args.host === "::" ? "127.0.0.1" : args.host
        const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}${args.path}`
        if (args.json) {
          yield* output.out(JSON.stringify({ type: "listening", url, port, forward_to: target ?? null }))
        } else {
          yield* output.out(`listening on ${url}${target === undefined ? "" : `, forwarding to ${target}`}`)
          yield* output.out(
            "register its public URL with `bankconnect webhook set <url>` (a tunnel for BankConnect, " +
              "the URL itself for the simulator); Ctrl-C stops it"
          )
        }
        if (secret === undefined && !["127.0.0.1", "localhost", "::1"].includes(args.host)) {
          yield* output.err("bankconnect: listening beyond this machine without --secret: anyone can post events")
        }
        return yield* Effect.as(Effect.never, ExitCodes.success)
      }).pipe(Effect.provide(FetchHttpClient.layer))
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Runs the webhook receiver on a local port and prints each event as it arrives: decoded, each account's " +
    "failure spelled out; invalid, duplicate and refused deliveries too. With --forward-to, each delivery the " +
    "receiver read is forwarded as it came (body, content type, and x-secret-key when --secret is set) to a " +
    "local URL, and the forward's status printed. Ctrl-C stops it (exit 0)."
  ],
  [
    ["bankconnect listen --port 8080", "print what arrives on http://127.0.0.1:8080/webhooks/bankconnect"],
    [
      "bankconnect listen --forward-to http://localhost:3000/webhooks/bankconnect",
      "and forward each delivery to your app"
    ],
    ["bankconnect listen --host 0.0.0.0 --secret \"$WEBHOOK_SECRET\" --json", "from the network, JSON lines"]
  ]
)))
