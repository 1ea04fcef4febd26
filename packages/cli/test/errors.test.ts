import { AsyncSimulator } from "@effect-bankconnect/simulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Http from "node:http"
import { credentials, envFor, noStackTrace, outputs, run } from "./utils/bin.js"

// Failures as a person and a script see them: one line on stderr that says what to do, a
// JSON line with --json, and the documented exit code: 2 for bad usage (including
// @effect/cli's own validation errors), 1 for an API or network error.

let sim: AsyncSimulator.AsyncSimulator
let env: NodeJS.ProcessEnv
const flagKey = "flag-api-key-0123456789"

beforeAll(async () => {
  sim = await AsyncSimulator.start()
  env = envFor(sim.baseUrl)
})

afterAll(async () => {
  await sim.close()
  for (const output of outputs) {
    for (const secret of [credentials.apiKey, credentials.serverHash, flagKey]) expect(output).not.toContain(secret)
  }
})

/** One line on stderr, nothing on stdout. */
const oneLine = (result: { readonly stdout: string; readonly stderr: string }) => {
  expect(result.stdout).toBe("")
  expect(result.stderr.endsWith("\n")).toBe(true)
  expect(result.stderr.trim().split("\n")).toHaveLength(1)
  expect(result.stderr.startsWith("bankconnect: ")).toBe(true)
  expect(noStackTrace(result.stderr)).toBe(true)
}

describe("bad usage: exit 2, one line", () => {
  it("an unknown flag, a missing argument, an invalid value", async () => {
    const unknownFlag = await run(["progress", "s-1", "--bogus"], env)
    expect(unknownFlag.code).toBe(2)
    oneLine(unknownFlag)
    expect(unknownFlag.stderr).toBe(
      "bankconnect: Received unknown argument: '--bogus'; see bankconnect progress --help\n"
    )

    const missing = await run(["status"], env)
    expect(missing.code).toBe(2)
    oneLine(missing)
    expect(missing.stderr).toBe("bankconnect: Missing argument <session>; see bankconnect status --help\n")

    const mode = await run(["webhook", "set", "http://127.0.0.1:9/x", "--mode", "2"], env)
    expect(mode.code).toBe(2)
    oneLine(mode)
    expect(mode.stderr).toContain("see bankconnect webhook set --help")
  }, 120_000)

  it("missing credentials name the variables and the flags", async () => {
    const result = await run(["progress", "s-1", "--json"], envFor(undefined))
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      "bankconnect: UsageError: BANKCONNECT_API_KEY and BANKCONNECT_SERVER_HASH are not set; set them, or pass " +
        "--api-key and --server-hash\n"
    )
    expect(result.json()).toEqual([expect.objectContaining({ type: "error", error: "UsageError", exit_code: 2 })])
  }, 60_000)

  it("--help: what the command does, with examples (exit 0, no escape codes off a terminal)", async () => {
    const result = await run(["listen", "--help"], env)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("EXAMPLES")
    expect(result.stdout).toContain("$ bankconnect listen --forward-to http://localhost:3000/webhooks/bankconnect")
    expect(result.stdout).toContain("--forward-to URL")
    expect(result.stdout).not.toContain("\x1b[")
  }, 60_000)
})

describe("API and network errors: exit 1, one line with what to do", () => {
  it("an unknown session: the line on stderr, the JSON line on stdout", async () => {
    const result = await run(["status", "no-such-session", "--json"], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      "bankconnect: SessionNotFound: session no-such-session was not found (HTTP 404 SESSION_NOT_FOUND); check " +
        "the session id, and that the session was made with these credentials (DEV and PROD keys see different " +
        "sessions)\n"
    )
    expect(result.json()).toEqual([{
      type: "error",
      error: "SessionNotFound",
      code: "SESSION_NOT_FOUND",
      status: 404,
      session_id: "no-such-session",
      message: "session no-such-session was not found (HTTP 404 SESSION_NOT_FOUND)",
      hint: expect.stringContaining("check the session id"),
      exit_code: 1
    }])
  }, 60_000)

  it(
    "wrong credentials: AccessDenied, check the variables; the flag's value never printed, even --verbose",
    async () => {
      const session = (await sim.createSession({})).sessionId
      const result = await run(["progress", session, "--api-key", flagKey, "--verbose"], env)
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(
        "bankconnect: AccessDenied: BankConnect refused the credentials (HTTP 403 ACCESS_DENIED); check " +
          "BANKCONNECT_API_KEY and BANKCONNECT_SERVER_HASH (or --api-key and --server-hash)"
      )
      expect(result.stderr).toContain("level=DEBUG")
      expect(result.stderr).not.toContain(flagKey)
    },
    30_000
  )

  it("a failing API: each retry in the --verbose log, then the error (exit 1)", async () => {
    const session = (await sim.createSession({ faults: { errorRate: 1 } })).sessionId
    const result = await run(["progress", session, "--verbose"], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/level=DEBUG .*message="BankConnect: retry 1 of 3 in \S+ after HTTP 5\d\d"/)
    expect(result.stderr).toContain("bankconnect.session_id=" + session)
    const last = result.stderr.trim().split("\n").at(-1)!
    expect(last).toMatch(/^bankconnect: UnknownApiError: BankConnect answered \(HTTP 5\d\d /)
    expect(last).toContain("BankConnect is busy or down: try again later")
    expect(noStackTrace(result.stderr)).toBe(true)
  }, 60_000)

  it("no answer: TransportError, check the base URL", async () => {
    // a port nothing listens on
    const server = Http.createServer()
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as { port: number }).port
    await new Promise((resolve) => server.close(resolve))
    const result = await run(["progress", "s-1", "--base-url", `http://127.0.0.1:${port}/bank-connect`], env)
    expect(result.code).toBe(1)
    oneLine(result)
    expect(result.stderr).toContain(
      `bankconnect: TransportError: no answer, after the retries: GET http://127.0.0.1:${port}/bank-connect/v1/` +
        "session_data/s-1/progress/ failed: "
    )
    expect(result.stderr).toContain("; check BANKCONNECT_BASE_URL (or --base-url) and the network")
  }, 60_000)
})
