import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { createHmac } from "node:crypto"
import * as Limits from "../Limits.js"
import type * as Scenario from "../Scenario.js"
import type { RequestRecord } from "../Simulator.js"
import * as Banks from "./banks.js"
import * as Body from "./body.js"
import * as Create from "./create.js"
import * as Dates from "./dates.js"
import * as Faults from "./faults.js"
import * as Files from "./files.js"
import * as Insights from "./insights.js"
import * as Lifecycle from "./lifecycle.js"
import { apiError, badRequest, formatParseError } from "./responses.js"
import { jsonBytes, type Store } from "./store.js"
import * as Timeline from "./timeline.js"
import * as Upload from "./upload.js"

/**
 * What the API routes need.
 *
 * @internal
 */
export interface Deps {
  readonly store: Store
  readonly apiKey: string
  readonly serverHash: string
  readonly accessDenied: "envelope" | "detail"
  /** The server's origin, such as `http://127.0.0.1:4010`: report, PDF and journey links point here. */
  readonly origin: string
  /** Starts processing a session that was waiting for `initiate_processing`. */
  readonly initiate: (sessionId: string) => Effect.Effect<void>
  /** Makes and keeps a session for the create call; fails with the message of a limit it is past. */
  readonly create: (request: Create.CreateRequest) => Effect.Effect<Timeline.Session, string>
  /** After an accepted upload: sends the completion webhook once the requirement is met. */
  readonly uploaded: (sessionId: string) => Effect.Effect<void>
  /** Deletes a session: `SESSION_DELETED` from then on, no webhook, its PDFs dropped. */
  readonly remove: (sessionId: string) => Effect.Effect<void>
}

const v1 = "/bank-connect/v1"
const prefix = `${v1}/session_data`

/** What a handler tells the log besides its answer. */
interface Note {
  sessionId: string | undefined
  authorized: boolean
}

type Handler = (
  sessionId: string | undefined,
  note: Note
) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>

const gatewayPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>" +
  "</center><hr><center>nginx</center></body></html>"

const decoder = new TextDecoder()

/** The `error.code` of an error answer, read back from its (small) JSON body. */
const errorCodeOf = (response: HttpServerResponse.HttpServerResponse): string | undefined => {
  if (response.status < 400 || response.body._tag !== "Uint8Array" || response.body.body.length > 4096) return undefined
  try {
    const code = (JSON.parse(decoder.decode(response.body.body)) as { error?: { code?: unknown } }).error?.code
    return typeof code === "string" ? code.slice(0, Limits.maxNameLength) : undefined
  } catch {
    return undefined
  }
}

/**
 * How a route is guarded: `headers`, both credential headers (the default); `handler`, the
 * handler checks its own (create, upload, signed links). `faults: false` skips the faults
 * (the links served in place of S3).
 */
interface Guard {
  readonly auth?: "headers" | "handler"
  readonly faults?: boolean
}

/**
 * Every API call goes through here: the latency and fault it draws, then the credential
 * check, then the handler; and it is logged.
 */
const guarded = (deps: Deps, handler: Handler, guard: Guard = {}) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const pathId = (yield* HttpRouter.params).id
    const at = yield* Clock.currentTimeMillis
    const checkHeaders = guard.auth !== "handler"
    const note: Note = {
      sessionId: pathId,
      authorized: checkHeaders &&
        request.headers["x-api-key"] === deps.apiKey &&
        request.headers["server-hash"] === deps.serverHash
    }
    const faults = deps.store.faultsFor(pathId)
    const fault = guard.faults === false ? { latencyMillis: 0, kind: undefined, status: 0 } : Faults.draw(
      faults,
      deps.store.random
    )
    if (fault.latencyMillis > 0) yield* Effect.sleep(fault.latencyMillis)
    const clientHeader = request.headers["x-simulator-client"]
    const client = clientHeader === undefined ? undefined : clientHeader.slice(0, Limits.maxNameLength)
    const log = (status: number | "dropped", errorCode?: string) => {
      const record: RequestRecord = {
        at,
        method: request.method,
        path: request.url.split("?")[0] ?? "",
        sessionId: note.sessionId,
        status,
        fault: fault.kind,
        authorized: note.authorized,
        ...(errorCode === undefined ? {} : { errorCode }),
        ...(client === undefined ? {} : { client })
      }
      deps.store.requests.push(record, jsonBytes(record))
    }
    const respond = (response: HttpServerResponse.HttpServerResponse) => {
      log(response.status, errorCodeOf(response))
      return response
    }
    switch (fault.kind) {
      case "drop": {
        NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
        log("dropped")
        return HttpServerResponse.empty()
      }
      case "error":
        return respond(apiError(fault.status, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable"))
      case "rateLimit":
        return respond(
          HttpServerResponse.unsafeJson(
            { error: { code: "RATE_LIMITED", message: "Too many requests" } },
            { status: 429, headers: { "retry-after": String(faults.retryAfterSeconds) } }
          )
        )
      case "nonJson":
        return respond(HttpServerResponse.html(gatewayPage).pipe(HttpServerResponse.setStatus(502)))
    }
    if (checkHeaders && !note.authorized) return respond(accessDenied(deps))
    return respond(yield* handler(pathId, note))
  })

const accessDenied = (deps: Deps) =>
  deps.accessDenied === "detail"
    ? HttpServerResponse.unsafeJson({ detail: "Authentication credentials were not provided." }, { status: 401 })
    : apiError(403, "ACCESS_DENIED", "Authentication credentials were not provided")

/** The session, or the error answer for an unknown or deleted one. */
const lookup = (
  store: Store,
  sessionId: string | undefined
): Either.Either<Timeline.Session, HttpServerResponse.HttpServerResponse> => {
  const session = sessionId === undefined ? undefined : store.sessions.get(sessionId)
  if (session === undefined) {
    return Either.left(apiError(404, "SESSION_NOT_FOUND", "The provided session ID is invalid"))
  }
  if (session.deleted) return Either.left(apiError(410, "SESSION_DELETED", "The provided session ID has been deleted"))
  return Either.right(session)
}

const notRequested = () =>
  apiError(400, "PROCESSING_NOT_REQUESTED", "Cannot proceed as the processing has not been requested yet")

const notCompleted = () =>
  apiError(400, "PROCESSING_NOT_COMPLETED", "The processing for this session is currently in progress")

/** The completed session, or the answer of the calls that need processing done. */
const completedSession = (
  store: Store,
  sessionId: string | undefined
): Effect.Effect<Either.Either<Timeline.Session, HttpServerResponse.HttpServerResponse>> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const session = lookup(store, sessionId)
    if (Either.isLeft(session)) return session
    if (session.right.startedAt === undefined) return Either.left(notRequested())
    if (now < (Timeline.completesAt(session.right) ?? Infinity)) return Either.left(notCompleted())
    return session
  })

/** A valid session id as the path carries it: `KEY_REQUIRED` otherwise. */
const validId = (sessionId: string | undefined) =>
  sessionId !== undefined && sessionId.length <= Limits.maxIdLength && /^[A-Za-z0-9._~-]+$/.test(sessionId)

const keyRequired = () => apiError(400, "KEY_REQUIRED", "valid session_id is required")

const UpdateWebhookBody = Schema.Struct({
  webhook_url: Schema.String.pipe(
    Schema.maxLength(Limits.maxUrlLength, {
      message: (issue) =>
        `webhook_url must be at most ${Limits.maxUrlLength} characters (Limits.maxUrlLength), got ${
          (issue.actual as string).length
        }`
    }),
    Schema.filter((url) => {
      try {
        const parsed = new URL(url)
        return parsed.protocol === "http:" || parsed.protocol === "https:"
      } catch {
        return false
      }
    }, { message: () => "webhook_url must be an absolute http(s) URL" })
  ),
  webhook_mode: Schema.optionalWith(Schema.Literal(0, 1), { default: () => 0 as const })
})

const decodeUpdateWebhookBody = Schema.decodeUnknown(UpdateWebhookBody)

const updateWebhook = (deps: Deps): Handler => () =>
  Body.text().pipe(
    Effect.flatMap((text) =>
      Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => badRequest("The body must be JSON") })
    ),
    Effect.flatMap((json) =>
      Effect.mapError(decodeUpdateWebhookBody(json), (error) => badRequest(formatParseError(error)))
    ),
    Effect.map((body) => {
      deps.store.webhook = { url: body.webhook_url, mode: body.webhook_mode }
      return HttpServerResponse.unsafeJson({ message: "success" })
    }),
    Effect.catchTags({
      BodyTooLarge: (error) => Effect.succeed(Body.tooLarge(error)),
      BodyUnreadable: () => Effect.succeed(badRequest("The body could not be read"))
    }),
    Effect.merge
  )

const progress = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    const session = lookup(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    if (session.right.startedAt === undefined) return notRequested()
    return HttpServerResponse.unsafeJson(Timeline.progressBody(session.right, yield* Clock.currentTimeMillis))
  })

/** The status of `DUPLICATE_PROCESSING_REQUEST`: the scenario's, the simulator's, else by origin. */
const duplicateStatus = (deps: Deps, session: Timeline.Session): number =>
  session.scenario.duplicateProcessingStatus ??
    deps.store.settings.duplicateProcessingStatus ??
    (session.origin === "api" ? 400 : 409)

const sessionExpired = () => apiError(400, "SESSION_EXPIRED", "The session has expired")

const initiateProcessing = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    const session = lookup(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    const found = session.right
    if (found.startedAt !== undefined) {
      return apiError(
        duplicateStatus(deps, found),
        "DUPLICATE_PROCESSING_REQUEST",
        "Request for processing have already been initiated"
      )
    }
    const intake = found.intake
    if (intake !== undefined) {
      if (Lifecycle.isExpired(found, yield* Clock.currentTimeMillis)) return sessionExpired()
      if (intake.statements.length === 0) {
        return apiError(400, "NO_STATEMENTS_UPLOADED", "No statements have been uploaded to this session")
      }
      if (intake.statements.every((s) => s.unparsable)) {
        return apiError(400, "UNPARSABLE_STATEMENTS", "The uploaded statements are not parsable")
      }
    }
    yield* deps.initiate(found.id)
    return HttpServerResponse.unsafeJson({ session_id: found.id, message: "success" }, { status: 202 })
  })

const sessionStatus = (deps: Deps): Handler => (sessionId) =>
  Effect.map(
    completedSession(deps.store, sessionId),
    Either.match({
      onLeft: (answer) => answer,
      onRight: (session) => HttpServerResponse.unsafeJson(Lifecycle.sessionStatusBody(session))
    })
  )

const uploadStatus = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    if (!validId(sessionId)) return keyRequired()
    const session = lookup(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    return HttpServerResponse.unsafeJson(Lifecycle.uploadStatusBody(session.right, yield* Clock.currentTimeMillis))
  })

/** A JSON answer written once, with its `content-length`. */
const jsonText = (text: string) => HttpServerResponse.text(text, { contentType: "application/json" })

const insights = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    const session = yield* completedSession(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    const now = yield* Clock.currentTimeMillis
    const text = JSON.stringify(
      Insights.insightsBody(session.right, (path) => Files.sign(deps.store.linkKey, deps.origin, path, now))
    )
    if (text.length > Limits.maxInsightsBytes) {
      return apiError(
        500,
        "SIMULATOR_ERROR",
        `The insights body would be larger than ${Limits.maxInsightsBytes} bytes (Limits.maxInsightsBytes)`
      )
    }
    return jsonText(text)
  })

const pdfPath = (sessionId: string, statementId: string) =>
  `/__simulator/pdfs/${encodeURIComponent(sessionId)}/${encodeURIComponent(statementId)}.pdf`

const getPdfs = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    const session = lookup(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    const now = yield* Clock.currentTimeMillis
    return HttpServerResponse.unsafeJson(
      Lifecycle.getPdfsBody(
        session.right,
        now,
        (statementId) => Files.sign(deps.store.linkKey, deps.origin, pdfPath(session.right.id, statementId), now)
      )
    )
  })

const deleteSession = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    const session = lookup(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    yield* deps.remove(session.right.id)
    return HttpServerResponse.unsafeJson({ session_id: session.right.id, message: "success" })
  })

const catalogue = (deps: Deps): Handler => () =>
  Effect.succeed(HttpServerResponse.unsafeJson(Banks.catalogueBody(`${deps.origin}/__simulator/logos`)))

// ---- create session ----

const isJsonType = (contentType: string) => /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType.trim())

/** The v2 redirect's `token`: a hash of the session id under the simulator's key. */
const journeyToken = (deps: Deps, sessionId: string) =>
  createHmac("sha256", deps.store.linkKey).update(`journey\n${sessionId}`).digest("hex")

const createSession = (deps: Deps, version: 1 | 2): Handler => (_, note) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const text = yield* Effect.either(Body.text())
    if (Either.isLeft(text)) {
      return text.left._tag === "BodyTooLarge" ? Body.tooLarge(text.left) : badRequest("The body could not be read")
    }
    const contentType = request.headers["content-type"] ?? ""
    if (!isJsonType(contentType)) {
      return apiError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `Unsupported media type "${contentType.slice(0, 100)}" in request: send application/json`
      )
    }
    let json: unknown
    try {
      json = JSON.parse(text.right)
    } catch {
      return apiError(400, "INVALID_REQUEST", "JSON parse error: the body is not valid JSON")
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      return apiError(400, "INVALID_REQUEST", "The body must be a JSON object")
    }
    const body = json as Record<string, unknown>
    const keys = [request.headers["x-api-key"], body.api_key].filter((k) => typeof k === "string" && k !== "")
    note.authorized = keys.includes(deps.apiKey)
    if (!note.authorized) {
      if (deps.accessDenied === "detail") return accessDenied(deps)
      return keys.length === 0
        ? apiError(401, "AUTHENTICATION_CREDENTIALS_NOT_PROVIDED", "Authentication credentials were not provided")
        : apiError(403, "ACCESS_DENIED", "Invalid API key")
    }
    if (deps.store.settings.outOfCredit) {
      return apiError(402, "PAYMENT_REQUIRED", "Payment required: the account has no credit left")
    }
    const checked = Create.check(body, yield* Clock.currentTimeMillis, deps.store.settings.enabledModes)
    if (Either.isLeft(checked)) return apiError(checked.left.status, checked.left.code, checked.left.message)
    const session = yield* Effect.either(deps.create(checked.right))
    if (Either.isLeft(session)) return badRequest(session.left)
    const id = session.right.id
    note.sessionId = id
    const query = `session_id=${encodeURIComponent(id)}` + (version === 2 ? `&token=${journeyToken(deps, id)}` : "")
    return HttpServerResponse.unsafeJson({
      session_id: id,
      redirect_url: `${deps.origin}/__simulator/journey?${query}`
    })
  })

// ---- upload ----

/** The upload call's error body. */
const uploadError = (status: number, code: string, message: string) =>
  HttpServerResponse.unsafeJson({ session_id: "", statement_id: "", error: { code, message } }, { status })

/**
 * An answer given before the body was read: the rest is read and dropped for a while
 * (`Body.linger`), so that the client reads the answer, and not kept.
 */
const early = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) => {
  Body.linger(request)
  return response
}

const uploadMessages: Record<Scenario.UploadErrorCode, readonly [number, string]> = {
  SESSION_EXPIRED: [400, "The session has expired"],
  TRIAL_PERIOD_EXPIRED: [402, "Your trial period has expired"],
  INVALID_API_KEY: [403, "Invalid API key"],
  MISSING_FILE_OBJECT: [400, "A file or file_url is required"],
  INVALID_FILE_OBJECT: [400, "The file is not a PDF"],
  EMPTY_FILE: [400, "The file is empty"],
  INVALID_FILE_URL: [400, "The file_url is not a valid URL"],
  INVALID_BASE_64: [400, "The file is not valid base64"],
  PASSWORD_INCORRECT: [400, "The provided password is incorrect"],
  PDF_IS_IMAGE: [400, "Scanned images are not supported"],
  STATEMENT_UNSUPPORTED_FORMAT: [400, "The statement format is not supported"],
  STATEMENT_DUPLICATE: [400, "A duplicate statement has been detected"],
  OUT_OF_DATE_RANGE: [400, "The statement uploaded is beyond the specified date range"],
  BANK_NAME_UNDETECTED: [400, "Bank name could not be identified"],
  BANK_NAME_MISMATCH: [400, "The bank name in the statement doesn't match the selected bank"],
  INVALID_ACCOUNT_CATEGORY: [400, "The account category is not supported"]
}

const refuse = (code: Scenario.UploadErrorCode) => {
  const [status, message] = uploadMessages[code]
  return uploadError(status, code, message)
}

const pdfMagic = [0x25, 0x50, 0x44, 0x46, 0x2d] // %PDF-

const isPdf = (bytes: Uint8Array) => pdfMagic.every((byte, i) => bytes[i] === byte)

/** Base64 (standard or URL-safe, whitespace and a `data:` prefix allowed), or `undefined`. */
const decodeBase64 = (text: string): Uint8Array | undefined => {
  const clean = text.replace(/^data:[^,]*;base64,/, "").replace(/\s+/g, "")
  if (clean.length % 4 === 1 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) return undefined
  return Buffer.from(clean, clean.includes("-") || clean.includes("_") ? "base64url" : "base64")
}

/** Reserved in `Limits.maxStoredSessionBytes` per upload: the ids and account it adds to the listing. */
const uploadSlack = 400

const uploadSession = (deps: Deps): Handler => (_, note) =>
  Effect.gen(function*() {
    const { store } = deps
    const request = yield* HttpServerRequest.HttpServerRequest
    note.authorized = request.headers["x-api-key"] === deps.apiKey
    if (!note.authorized) return early(request, refuse("INVALID_API_KEY"))
    if (store.settings.outOfCredit) return early(request, refuse("TRIAL_PERIOD_EXPIRED"))
    const form = yield* Effect.either(Upload.readForm)
    if (Either.isLeft(form)) return early(request, uploadError(form.left.status, form.left.code, form.left.message))
    const { fields, file } = form.right

    const sessionId = fields.get("session_id") ?? ""
    if (sessionId === "") return uploadError(400, "INVALID_REQUEST", "session_id, This field is required.")
    if (sessionId.length > Limits.maxIdLength) {
      return uploadError(
        400,
        "INVALID_REQUEST",
        `session_id, Ensure this field has no more than ${Limits.maxIdLength} characters (Limits.maxIdLength).`
      )
    }
    note.sessionId = sessionId
    const found = lookup(store, sessionId)
    if (Either.isLeft(found)) {
      const code = found.left.status === 404 ? "SESSION_NOT_FOUND" : "SESSION_DELETED"
      return uploadError(
        found.left.status,
        code,
        code === "SESSION_NOT_FOUND" ? "The provided session ID is invalid" : "The provided session ID has been deleted"
      )
    }
    const session = found.right
    const intake = session.intake
    const now = yield* Clock.currentTimeMillis
    if (intake === undefined) {
      return uploadError(
        400,
        "UPLOAD_NOT_ALLOWED",
        "This session's statements are scripted: create it with state \"upload\" to upload statements"
      )
    }
    if (session.startedAt !== undefined) {
      return uploadError(
        400,
        "UPLOAD_NOT_ALLOWED",
        "Processing was already requested for this session: no more statements can be uploaded"
      )
    }
    if (now >= intake.expiresAt) return refuse("SESSION_EXPIRED")

    const uploadType = (fields.get("upload_type") ?? "").toUpperCase()
    if (uploadType !== "PDF" && uploadType !== "BASE64") {
      return uploadError(400, "INVALID_REQUEST", "upload_type, must be one of PDF, BASE64.")
    }
    const givenBank = fields.get("bank_name")
    let formBank: string | undefined
    if (givenBank !== undefined && givenBank !== "") {
      formBank = Banks.find(givenBank)?.id
      if (formBank === undefined) {
        return HttpServerResponse.unsafeJson({
          session_id: "",
          statement_id: "",
          error: { message: `Please use following bank strings: ${Banks.banks.map((b) => b.id).join(", ")}` }
        }, { status: 400 })
      }
    }
    const password = fields.get("pdf_password") ?? ""
    if (password.length > Limits.maxNameLength) {
      return uploadError(
        400,
        "INVALID_REQUEST",
        `pdf_password, Ensure this field has no more than ${Limits.maxNameLength} characters (Limits.maxNameLength).`
      )
    }

    // the file: a file part, a text field, or a URL (not fetched: a stub PDF stands for it)
    const textFile = fields.get("file")
    const fileUrl = fields.get("file_url")
    let bytes: Uint8Array | undefined
    let digest: string
    if (file !== undefined || textFile !== undefined) {
      if (uploadType === "BASE64") {
        const text = file !== undefined ? Buffer.from(file.bytes).toString("latin1") : textFile ?? ""
        if (text.trim() === "") return refuse("EMPTY_FILE")
        const decoded = decodeBase64(text)
        if (decoded === undefined) return refuse("INVALID_BASE_64")
        if (decoded.length > Limits.maxUploadBytes) {
          return uploadError(
            413,
            "PAYLOAD_TOO_LARGE",
            `The file is larger than the limit of ${Limits.maxUploadBytes} bytes (20 MiB, Limits.maxUploadBytes)`
          )
        }
        bytes = decoded
      } else {
        bytes = file?.bytes ?? Buffer.from(textFile ?? "", "latin1")
      }
      if (bytes.length === 0) return refuse("EMPTY_FILE")
      if (!isPdf(bytes)) return refuse("INVALID_FILE_OBJECT")
      digest = Upload.sha256(bytes)
    } else if (fileUrl !== undefined && fileUrl !== "") {
      if (!Create.isHttpUrl(fileUrl)) return refuse("INVALID_FILE_URL")
      digest = Upload.sha256(new TextEncoder().encode(fileUrl))
    } else {
      return refuse("MISSING_FILE_OBJECT")
    }

    // the PDF is examined: the scenario's entry for it decides what it is
    const script: Scenario.Upload = session.scenario.uploads?.[intake.examined] ?? {}
    intake.examined++
    if (script.error !== undefined) return refuse(script.error)
    if (script.password !== undefined && password !== script.password) return refuse("PASSWORD_INCORRECT")
    if (intake.statements.some((s) => s.sha256 === digest)) return refuse("STATEMENT_DUPLICATE")
    const detected = script.bankName?.toLowerCase() ?? formBank ?? intake.bankName ?? "sbi"
    if (
      (formBank !== undefined && detected !== formBank) ||
      (intake.bankName !== undefined && detected !== intake.bankName)
    ) {
      return refuse("BANK_NAME_MISMATCH")
    }
    const window = new Set(Lifecycle.windowMonths(session))
    const scripted = script.months?.map((m) => Dates.parseYearMonth(m) ?? -1)
    const months = [...new Set(scripted ?? window)].filter((m) => window.has(m)).sort((a, b) => a - b)
    if (months.length === 0) return refuse("OUT_OF_DATE_RANGE")

    // what it would keep
    const size = bytes?.length ?? 0
    if (intake.statements.length >= Limits.maxUploadsPerSession) {
      return uploadError(
        400,
        "BAD_REQUEST",
        `The session has ${Limits.maxUploadsPerSession} statements already (Limits.maxUploadsPerSession)`
      )
    }
    if (store.uploadBytes + size > Limits.maxStoredUploadBytes) {
      return uploadError(
        507,
        "INSUFFICIENT_STORAGE",
        `The PDFs kept would take more than ${Limits.maxStoredUploadBytes} bytes (Limits.maxStoredUploadBytes): ` +
          "delete sessions or restart the simulator"
      )
    }
    if (store.sessionBytes + uploadSlack > Limits.maxStoredSessionBytes) {
      return uploadError(
        507,
        "INSUFFICIENT_STORAGE",
        `The sessions kept would take more than ${Limits.maxStoredSessionBytes} bytes (Limits.maxStoredSessionBytes)`
      )
    }

    const accountNumber = script.accountNumber ?? Lifecycle.accountNumberFor(`${session.id}:${detected}`)
    let account = intake.accounts.find((a) => a.bankName === detected && a.accountNumber === accountNumber)
    if (account === undefined) {
      account = {
        id: store.uuid(),
        bankName: detected,
        accountNumber,
        name: script.name ?? Lifecycle.holderName(session.id),
        createdAt: now,
        lastUpdatedAt: now
      }
      intake.accounts.push(account)
    }
    const statementId = store.uuid()
    intake.statements.push({
      id: statementId,
      accountId: account.id,
      createdAt: now,
      months,
      fileName: `${store.uuid()}_${detected}.pdf`,
      password: password === "" ? null : password,
      sha256: digest,
      bytes,
      isFraud: script.isFraud ?? false,
      unparsable: script.unparsable ?? false
    })
    account.lastUpdatedAt = now
    intake.bytes += size
    store.uploadBytes += size
    store.sessionBytes += uploadSlack
    yield* deps.uploaded(session.id)

    const accountId = account.id
    const covered = new Set<number>()
    for (const s of intake.statements) if (s.accountId === accountId) { for (const m of s.months) covered.add(m) }
    const range = Lifecycle.statementRange(session, months)
    return HttpServerResponse.unsafeJson({
      statement_id: statementId,
      account_id: account.id,
      session_id: session.id,
      bank_name: detected,
      status: 1,
      identity: {
        account_id: account.id,
        account_number: account.accountNumber,
        name: account.name,
        address: "12 MG ROAD, BENGALURU 560001",
        account_category: "individual",
        raw_account_category: "SAVINGS",
        bank_name: detected,
        ifsc: `${detected.slice(0, 4).toUpperCase().padEnd(4, "X")}0001234`,
        micr: "560002001",
        credit_limit: null,
        od_limit: null
      },
      is_fraud: script.isFraud ?? false,
      date_range: { from_date: Dates.isoDay(range.from), to_date: Dates.isoDay(range.to) },
      months: months.map(Dates.yearMonth),
      missing_months: Lifecycle.missingMonths(session, covered)
    })
  })

// ---- the links served in place of S3 ----

const s3Answer = (status: number, code: string, message: string) =>
  HttpServerResponse.text(Files.s3Error(code, message), { status, contentType: "application/xml" })

const noSuchKey = () => s3Answer(404, "NoSuchKey", "The specified key does not exist.")

/** Serves a signed link's bytes: `file` finds them in the session, by the file name. */
const signedFile = (
  deps: Deps,
  file: (
    session: Timeline.Session,
    name: string,
    now: number
  ) => { readonly bytes: Uint8Array; readonly contentType: string } | undefined
): Handler =>
(sessionId, note) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const [path = "", search = ""] = request.url.split("?", 2)
    const now = yield* Clock.currentTimeMillis
    const refused = Files.check(deps.store.linkKey, path, new URLSearchParams(search), now)
    if (refused !== undefined) return s3Answer(403, refused.code, refused.message)
    note.authorized = true
    const session = sessionId === undefined ? undefined : deps.store.sessions.get(sessionId)
    if (session === undefined || session.deleted) return noSuchKey()
    const name = decodeURIComponent(path.slice(path.lastIndexOf("/") + 1))
    const found = file(session, name, now)
    if (found === undefined) return noSuchKey()
    return HttpServerResponse.uint8Array(found.bytes, { contentType: found.contentType })
  })

const reportFile = (deps: Deps) =>
  signedFile(deps, (session, name) => {
    const accounts = Lifecycle.accountsOf(session)
    const summary = (account: Lifecycle.AccountView) => [
      [account.id, account.bankName, Lifecycle.masked(account.accountNumber), String(account.statements.length)]
    ]
    const header = [["account_id", "bank", "account_number", "statements"]]
    if (name === `entity_report_${session.id}.xlsx`) {
      return {
        bytes: Files.xlsx([["session_id", session.id], ...header, ...accounts.flatMap(summary)]),
        contentType: Files.contentTypes.xlsx
      }
    }
    if (name === `entity_report_${session.id}.xml`) {
      return {
        bytes: Files.xmlReport([["session_id", session.id], ["link_id", session.linkId], [
          "accounts",
          String(accounts.length)
        ]]),
        contentType: Files.contentTypes.xml
      }
    }
    const account = accounts.find((a) => name === `account_report_${a.id}.xlsx`)
    return account === undefined ? undefined : {
      bytes: Files.xlsx([["session_id", session.id], ...header, ...summary(account)]),
      contentType: Files.contentTypes.xlsx
    }
  })

const pdfFile = (deps: Deps) =>
  signedFile(deps, (session, name, now) => {
    for (const account of Lifecycle.accountsOf(session)) {
      for (const statement of account.statements) {
        if (name !== `${statement.id}.pdf`) continue
        if (now - statement.createdAt >= Lifecycle.pdfRetentionMillis) return undefined
        return {
          bytes: statement.bytes ?? Files.stubPdf(`BankConnect simulator statement ${statement.id}`),
          contentType: Files.contentTypes.pdf
        }
      }
    }
    return undefined
  })

const logo = HttpServerResponse.uint8Array(Files.logoPng, { contentType: Files.contentTypes.png })

const journeyPage = (deps: Deps) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const id = new URLSearchParams(request.url.split("?", 2)[1] ?? "").get("session_id") ?? ""
    const known = deps.store.sessions.has(id)
    const safe = id.replace(/[^A-Za-z0-9._~-]/g, "")
    return HttpServerResponse.html(
      "<!doctype html><html><head><title>BankConnect simulator</title></head><body>" +
        `<h1>BankConnect simulator</h1><p>${known ? `Session ${safe}` : "No such session"}.</p>` +
        "<p>Upload statements with <code>POST /bank-connect/v1/statement/upload_session/</code>.</p></body></html>"
    ).pipe(HttpServerResponse.setStatus(known ? 200 : 404))
  })

/**
 * Adds the BankConnect API's routes, and the links served in place of S3.
 *
 * @internal
 */
export const withRoutes = (deps: Deps) => <E, R>(router: HttpRouter.HttpRouter<E, R>) =>
  router.pipe(
    HttpRouter.post(`${v1}/session/`, guarded(deps, createSession(deps, 1), { auth: "handler" })),
    HttpRouter.post("/bank-connect/v2/session/", guarded(deps, createSession(deps, 2), { auth: "handler" })),
    HttpRouter.post(`${v1}/statement/upload_session/`, guarded(deps, uploadSession(deps), { auth: "handler" })),
    // the router ignores a trailing slash: this serves `/banks/catalogue` too
    HttpRouter.get(`${v1}/banks/catalogue/`, guarded(deps, catalogue(deps))),
    HttpRouter.post(`${prefix}/update_webhook/`, guarded(deps, updateWebhook(deps))),
    HttpRouter.get(`${prefix}/:id/progress/`, guarded(deps, progress(deps))),
    HttpRouter.post(`${prefix}/:id/initiate_processing/`, guarded(deps, initiateProcessing(deps))),
    HttpRouter.get(`${prefix}/:id/session_upload_status/`, guarded(deps, uploadStatus(deps))),
    HttpRouter.get(`${prefix}/:id/session_status/`, guarded(deps, sessionStatus(deps))),
    HttpRouter.get(`${prefix}/:id/insights/`, guarded(deps, insights(deps))),
    HttpRouter.get(`${prefix}/:id/get_pdfs/`, guarded(deps, getPdfs(deps))),
    HttpRouter.del(`${prefix}/:id/delete/`, guarded(deps, deleteSession(deps))),
    HttpRouter.get(
      "/__simulator/reports/:id/:file",
      guarded(deps, reportFile(deps), { auth: "handler", faults: false })
    ),
    HttpRouter.get(
      "/__simulator/reports/:id/xml_report/:file",
      guarded(deps, reportFile(deps), { auth: "handler", faults: false })
    ),
    HttpRouter.get("/__simulator/pdfs/:id/:file", guarded(deps, pdfFile(deps), { auth: "handler", faults: false })),
    HttpRouter.get("/__simulator/logos/:file", Effect.succeed(logo)),
    HttpRouter.get("/__simulator/journey", journeyPage(deps))
  )
