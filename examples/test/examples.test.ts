import { Simulator } from "@effect-bankconnect/simulator"
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

// Every example, and the demo, run as a person runs them: a real process on the simulator,
// with CI=true and no terminal, so none can rot.
const examples = fileURLToPath(new URL("..", import.meta.url))

const run = (file: string, env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const base: Record<string, string | undefined> = { ...process.env, CI: "true" }
    for (const name of Object.keys(base)) {
      if (name.startsWith("BANKCONNECT_") || name.startsWith("SIMULATOR_")) delete base[name]
    }
    execFile(
      process.execPath,
      ["--import", "tsx", file],
      { cwd: examples, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

const lines = (text: string) => text.trim().split("\n")

/** The names of the spans `ConsoleSpanExporter` printed. */
const spanNames = (text: string) => new Set(Array.from(text.matchAll(/^ {2}name: '([^']*)',$/gm), (match) => match[1]))

/** Every call of the simulator answered 5xx: each call is retried 3 times, then fails. */
const allCallsFail = { SIMULATOR_FAULTS: JSON.stringify({ errorRate: 1 }) }

describe.concurrent("examples on the simulator", () => {
  it("watch-progress.ts: the stream to its completed snapshot, with per-statement lines", async () => {
    const { code, stderr, stdout } = await run("watch-progress.ts")
    expect([code, stderr]).toEqual([0, ""])
    expect(stdout).toMatch(/^watching [0-9a-f-]{36}\n/)
    // a line per running statement (under load the first poll may come after identity finished)
    expect(stdout).toMatch(/running +identity=(processing|completed)/)
    expect(lines(stdout).at(-1)).toMatch(/^finished: session [0-9a-f-]{36}: completed, 1 statement \(1 completed\)$/)
  }, 60_000)

  it("async-iterable.ts: for await to completion", async () => {
    const { code, stderr, stdout } = await run("async-iterable.ts")
    expect([code, stderr]).toEqual([0, ""])
    expect(stdout).toMatch(/: processing, 1 statement/)
    expect(lines(stdout).at(-1)).toBe("completed")
  }, 60_000)

  it.each(["journey.ts", "journey-async.ts"])("%s: create to insights and a report saved to files", async (file) => {
    const outDir = mkdtempSync(join(tmpdir(), "bankconnect-example-"))
    try {
      const { code, stderr, stdout } = await run(file, { BANKCONNECT_OUT_DIR: outDir })
      expect([code, stderr]).toEqual([0, ""])
      const sessionId = /^created ([0-9a-f-]{36})$/m.exec(stdout)?.[1]
      expect(sessionId).toBeDefined()
      expect(stdout).toMatch(/^uploaded statement [0-9a-f-]{36} \(\d+ months\)$/m)
      expect(stdout).toMatch(/^account [0-9a-f-]{36}: completed$/m)
      expect(stdout).toContain("outcome: every account completed")
      const insights = JSON.parse(readFileSync(join(outDir, `insights-${sessionId}.json`), "utf8"))
      expect(insights.session_id).toBe(sessionId)
      expect(insights.accounts[0].data.transactions.length).toBeGreaterThan(0)
      // links are credentials: the saved insights hold none
      expect(JSON.stringify(insights)).not.toMatch(/X-Amz-Signature|__simulator\/reports/)
      expect(statSync(join(outDir, `report-${sessionId}.xlsx`)).size).toBeGreaterThan(0)
    } finally {
      rmSync(outDir, { recursive: true, force: true })
    }
  }, 60_000)

  it("fleet.ts: 20 sessions tracked on libsql, each outcome written once by the handler", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "bankconnect-example-"))
    try {
      const { code, stderr, stdout } = await run("fleet.ts", { BANKCONNECT_OUT_DIR: outDir })
      expect([code, stderr]).toEqual([0, ""])
      expect(stdout).toContain(`tracking 20 sessions in ${join(outDir, "tracker.db")}`)
      // each session's outcome printed once, as the handler first wrote it
      const printed = lines(stdout).filter((line) => /^application-\d\d: /.test(line))
      expect(printed).toHaveLength(20)
      expect(new Set(printed.map((line) => line.slice(0, 14))).size).toBe(20)
      expect(printed).toContainEqual(
        expect.stringMatching(/^application-18: completed via (webhook|polling), failed INCOMPLETE_MONTHS$/)
      )
      expect(printed).toContain("application-19: failed: SessionDeleted")
      expect(printed).toContain("application-20: timed out")
      // the two sessions without a webhook can only complete by polling
      for (const reference of ["application-16", "application-17"]) {
        expect(printed).toContain(`${reference}: completed via polling, completed`)
      }
      expect(stdout).toMatch(/^summary: 18 completed \(\d+ via webhook, \d+ via polling\), 1 failed, 1 timed out$/m)
      expect(stdout).toContain("accounts: 17 completed, 1 failed")
      // the file: one line per session, each a distinct outcome event of the session
      const outcomes = readFileSync(join(outDir, "outcomes.jsonl"), "utf8").trim().split("\n").map((line) =>
        JSON.parse(line) as { eventId: string; sessionId: string; outcome: string }
      )
      expect(outcomes).toHaveLength(20)
      expect(new Set(outcomes.map((o) => o.eventId)).size).toBe(20)
      expect(new Set(outcomes.map((o) => o.sessionId)).size).toBe(20)
      for (const o of outcomes) expect(o.eventId.startsWith(`${o.sessionId}:`)).toBe(true)
      expect(statSync(join(outDir, "tracker.db")).size).toBeGreaterThan(0)
    } finally {
      rmSync(outDir, { recursive: true, force: true })
    }
  }, 60_000)

  it("register-webhook.ts: registers the URL with the simulator", async () => {
    const { code, stderr, stdout } = await run("register-webhook.ts")
    expect([code, stderr]).toEqual([0, ""])
    expect(lines(stdout)).toEqual([
      "registered https://lender.example/webhooks/bankconnect",
      "the simulator now posts to https://lender.example/webhooks/bankconnect"
    ])
  }, 60_000)

  it("webhook-receiver.ts: an Effect server receives the enrichment", async () => {
    const { code, stderr, stdout } = await run("webhook-receiver.ts")
    expect([code, stderr]).toEqual([0, ""])
    expect(lines(stdout)).toEqual([
      expect.stringMatching(/^listening on http:\/\/127\.0\.0\.1:\d+\/webhooks\/bankconnect$/),
      "received ENRICHMENT_NOTIFICATION",
      expect.stringMatching(/^account [0-9a-f-]{36}: completed$/)
    ])
  }, 60_000)

  it("webhook-fetch-handler.ts: a Fetch handler receives the enrichment with its missing dates", async () => {
    const { code, stderr, stdout } = await run("webhook-fetch-handler.ts")
    expect([code, stderr]).toEqual([0, ""])
    expect(lines(stdout).slice(1)).toEqual([
      "received ENRICHMENT_NOTIFICATION",
      expect.stringMatching(/^account [0-9a-f-]{36} failed: missing dates 2024-01: days 1, 2, 3, 4$/)
    ])
  }, 60_000)

  it("await-with-fallback.ts: completion through the webhook, with the typed failure", async () => {
    const { code, stderr, stdout } = await run("await-with-fallback.ts")
    expect([code, stderr]).toEqual([0, ""])
    expect(lines(stdout)).toEqual([
      "completed (seen by webhook)",
      expect.stringMatching(/^account [0-9a-f-]{36} failed: no transactions for 2023-11, 2023-12$/)
    ])
  }, 60_000)

  // the demo bounds itself: its waits carry a 25-second deadline, past which it exits non-zero
  it("the demo: both sessions, the webhooks, the typed failure", async () => {
    const { code, stderr, stdout } = await run("demo.ts")
    expect([code, stderr]).toEqual([0, ""])
    expect(stdout).not.toContain("\x1b[") // plain lines, no cursor movement, when not a terminal
    const out = lines(stdout)
    expect(out[0]).toBe("BankConnect demo")
    expect(out).toContain("webhook arrived: ENRICHMENT_NOTIFICATION for session A")
    expect(out).toContain("webhook arrived: ENRICHMENT_NOTIFICATION for session B")
    expect(stdout).toMatch(/session A [0-9a-f-]{36}: completed, 2 statements \(2 completed\)/)
    expect(stdout).toMatch(/session B [0-9a-f-]{36}: completed, 1 statement \(1 failed\)/)
    expect(stdout).toMatch(/B => account sbi \w+: FAILED INCOMPLETE_MONTHS: no transactions for Nov 2023, Dec 2023/)
    expect(stdout).toMatch(/A => account hdfc \w+: completed/)
  }, 60_000)

  it("against the real API, an example names the missing credential", async () => {
    const { code, stderr, stdout } = await run("watch-progress.ts", { BANKCONNECT_SESSION_ID: "some-session" })
    expect(code).not.toBe(0)
    expect(stdout + stderr).toContain("BANKCONNECT_API_KEY")
  }, 60_000)

  it("opentelemetry.ts: the span of every call and of its HTTP requests, exported, no credential", async () => {
    const { code, stderr, stdout } = await run("opentelemetry.ts")
    expect([code, stderr]).toEqual([0, ""])
    expect(lines(stdout).slice(0, 3)).toEqual([
      "getProgress: processing",
      "updateWebhook: registered https://lender.example/webhooks/bankconnect",
      expect.stringMatching(/^watchProgress: completed after \d+ snapshots$/)
    ])
    expect([...spanNames(stdout)]).toEqual(expect.arrayContaining([
      "BankConnectClient.getProgress",
      "BankConnectClient.updateWebhook",
      "BankConnectClient.watchProgress",
      "http.client GET",
      "http.client POST"
    ]))
    // the credentials go in every request's headers, which the HTTP spans record redacted
    expect(stdout).toContain("'http.request.header.x-api-key': '<redacted>'")
    expect(stdout).toContain("'http.request.header.server-hash': '<redacted>'")
    for (const secret of [Simulator.defaults.apiKey, Simulator.defaults.serverHash]) {
      expect(stdout + stderr).not.toContain(secret)
    }
  }, 60_000)

  it("BANKCONNECT_LOG=debug prints the client's retries, in Effect and async/await examples alike", async () => {
    const [effect, async] = await Promise.all([
      run("register-webhook.ts", { BANKCONNECT_LOG: "debug", ...allCallsFail }),
      run("webhook-fetch-handler.ts", { BANKCONNECT_LOG: "debug", ...allCallsFail })
    ])
    for (const { code, stderr, stdout } of [effect, async]) {
      expect(code).not.toBe(0)
      for (const retry of [1, 2, 3]) {
        expect(stdout).toMatch(new RegExp(`DEBUG.*BankConnect: retry ${retry} of 3 in .+ after HTTP 50\\d`))
      }
      expect(stdout + stderr).toContain("UnknownApiError")
    }
  }, 60_000)

  it("by default the retries are not printed, only the failure", async () => {
    const { code, stderr, stdout } = await run("register-webhook.ts", allCallsFail)
    expect(code).not.toBe(0)
    expect(stdout + stderr).not.toContain("DEBUG")
    expect(stdout + stderr).not.toContain("BankConnect: retry")
    expect(stdout + stderr).toContain("UnknownApiError")
  }, 60_000)

  it("an invalid BANKCONNECT_LOG fails at once, naming the variable", async () => {
    const [effect, async] = await Promise.all([
      run("register-webhook.ts", { BANKCONNECT_LOG: "verbose" }),
      run("async-iterable.ts", { BANKCONNECT_LOG: "verbose" })
    ])
    expect(effect.code).not.toBe(0)
    expect(effect.stdout + effect.stderr).toMatch(
      /BANKCONNECT_LOG: "expected one of debug, info, warning, error, none; got "verbose""/
    )
    expect(effect.stdout).not.toContain("registered")
    expect(async.code).not.toBe(0)
    expect(async.stdout + async.stderr).toContain(
      "BANKCONNECT_LOG must be one of debug, info, warning, error, none, got \"verbose\""
    )
  }, 60_000)
})
