import { AsyncSimulator } from "@effect-bankconnect/simulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { credentials, envFor, outputs, run, start, waitFor } from "./utils/bin.js"

// Each command run as a process against an in-process simulator on 127.0.0.1, its output
// read as a person (text) or a script (`--json`) reads it, and its exit code checked.

const fast = { identity: 100, transaction: 100, processing: 100, fraud: 100 }
const incompleteMonths = {
  status: "failed",
  errorCode: "INCOMPLETE_MONTHS",
  months: ["2023-11", "2023-12"]
} as const

let sim: AsyncSimulator.AsyncSimulator
let env: NodeJS.ProcessEnv
let completed: string
let failed: string

beforeAll(async () => {
  sim = await AsyncSimulator.start({ webhooks: { backoff: "100 millis", retries: 1 } })
  env = envFor(sim.baseUrl)
  completed = (await sim.createSession({ accounts: [{ statements: 2 }], stageMillis: fast })).sessionId
  failed = (await sim.createSession({ accounts: [{}, { outcome: incompleteMonths }], stageMillis: fast })).sessionId
})

afterAll(async () => {
  await sim.close()
  // no credential in any output of this file's commands
  for (const output of outputs) {
    expect(output).not.toContain(credentials.apiKey)
    expect(output).not.toContain(credentials.serverHash)
  }
})

describe("bankconnect against the simulator", () => {
  it("progress: a snapshot as text (exit 0) and as a JSON line (exit 3 with a failed statement)", async () => {
    const text = await run(["progress", completed], env)
    expect(text.code).toBe(0)
    expect(text.stderr).toBe("")
    expect(text.stdout).toContain(`session ${completed}  completed  2 statements (2 completed)`)
    expect(text.stdout).toMatch(/\[#{12}\] 4\/4 {2}identity done transaction done processing done fraud done/)

    const json = await run(["progress", failed, "--json"], env)
    expect(json.code).toBe(3)
    const [line] = json.json()
    expect(line).toMatchObject({ type: "progress", session_id: failed, session_progress: "completed" })
    expect(line!.statements).toHaveLength(2)
    expect(line!.statements[1]).toMatchObject({
      outcome: "failed",
      stages_completed: 2,
      processing_status: "failed",
      fraud_status: null,
      message: "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023"
    })
  }, 120_000)

  it("status: accounts with typed failures and statements (exit 3), JSON (exit 0)", async () => {
    const text = await run(["status", failed], env)
    expect(text.code).toBe(3)
    expect(text.stdout).toContain(`session ${failed}: completed with a failed account, 2 accounts`)
    expect(text.stdout).toMatch(/account \S+ \(sbi, X+\d{4}\) SAVINGS, State Bank of India: completed/)
    expect(text.stdout).toMatch(
      /failed INCOMPLETE_MONTHS: no transactions for Nov 2023, Dec 2023\n {4}statement \S+ \(pdf\): completed/
    )

    const json = await run(["status", completed, "--json"], env)
    expect(json.code).toBe(0)
    const [line] = json.json()
    expect(line).toMatchObject({ type: "status", session_id: completed, result: "completed", insights_available: true })
    expect(line!.accounts[0]).toMatchObject({ account_status: "completed", failure: null })
    expect(line!.accounts[0].statements).toHaveLength(2)
  }, 120_000)

  it("await: polls to the outcome, each account's typed failure from the session status (exit 3)", async () => {
    const session = (await sim.createSession({ accounts: [{ outcome: incompleteMonths }], stageMillis: fast }))
      .sessionId
    const result = await run(["await", session, "--interval", "200ms", "--json"], env)
    expect(result.code).toBe(3)
    const [outcome] = result.json()
    expect(outcome).toMatchObject({
      type: "outcome",
      session_id: session,
      result: "failed",
      via: "polling",
      statements: { completed: 0, failed: 1 }
    })
    expect(outcome!.accounts[0].failure).toEqual({
      tag: "IncompleteMonths",
      code: "INCOMPLETE_MONTHS",
      message: "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023",
      months: ["2023-11", "2023-12"]
    })
  }, 120_000)

  it("await --listen: a receiver on the port, the session's webhook first (exit 0)", async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000)
    await run(["webhook", "set", `http://127.0.0.1:${port}/webhooks/bankconnect`], env)
    // processing starts once the receiver listens, so that the webhook cannot come before it
    const session = (await sim.createSession({ state: "not_requested", stageMillis: fast })).sessionId
    const waiting = start(["await", session, "--listen", String(port), "--webhook-wait", "20s"], env)
    await waitFor(() => waiting.stderr().includes("webhooks on"), "the receiver")
    expect(waiting.stderr()).toContain(`webhooks on http://127.0.0.1:${port}/webhooks/bankconnect`)
    const initiated = await fetch(`${sim.baseUrl}/v1/session_data/${session}/initiate_processing/`, {
      method: "POST",
      headers: { "x-api-key": sim.apiKey, "server-hash": sim.serverHash }
    })
    expect(initiated.status).toBe(202)
    expect(await waiting.exited).toBe(0)
    expect(waiting.stdout()).toMatch(new RegExp(`session ${session}: completed \\(via webhook, after`))
    expect(waiting.stdout()).toMatch(/account \S+ \(sbi, X+\d{4}\): completed\n {2}insights available: yes/)
    const attempts = await sim.webhookAttempts()
    expect(attempts.find((a) => a.sessionId === session)).toMatchObject({ outcome: "delivered", status: 200 })
  }, 120_000)

  it("await --deadline: exit 4 once it passed", async () => {
    const session = (await sim.createSession({ stageMillis: { identity: 600_000 } })).sessionId
    const result = await run(["await", session, "--deadline", "1s"], env)
    expect(result.code).toBe(4)
    expect(result.stderr).toContain(`bankconnect: CompletionTimeout: Session ${session} did not complete within 1s`)
    expect(result.stderr.trim().split("\n").at(-1)).toContain("give a longer --deadline")
  }, 120_000)

  it("watch --plain: a line per change for each session, then the outcomes (exit 3)", async () => {
    // long enough to be seen running once the process has started
    const a = (await sim.createSession({ stageMillis: { ...fast, identity: 8000 } })).sessionId
    const b = (await sim.createSession({ accounts: [{ outcome: incompleteMonths }], stageMillis: fast })).sessionId
    const result = await run(["watch", a, b, "--interval", "250ms"], env)
    expect(result.code).toBe(3)
    const lines = result.stdout.trim().split("\n")
    expect(lines).toContain(`${a} processing: 1 statement (1 running)`)
    expect(lines.find((line) => line.startsWith(`${a} statement`)))
      .toMatch(/ 0\/4 identity:processing transaction:- processing:- fraud:-$/)
    expect(lines).toContain(`${a} completed: 1 statement (1 completed)`)
    expect(lines).toContain(`${a} completed: 1 account, insights available: yes`)
    expect(lines.find((line) => line.startsWith(`${b} statement`) && line.includes("failed at processing")))
      .toMatch(/2\/4 identity:completed transaction:completed processing:failed fraud:- failed at processing: /)
    expect(lines.find((line) => line.startsWith(`${b} account`)))
      .toMatch(/: failed INCOMPLETE_MONTHS: no transactions for Nov 2023, Dec 2023$/)
    // no escape code off a terminal
    expect(result.stdout).not.toContain("\x1b[")
  }, 120_000)

  it("watch --json: a progress line per change, an outcome line per session (exit 0)", async () => {
    const session = (await sim.createSession({ stageMillis: fast })).sessionId
    const result = await run(["watch", session, "--json", "--interval", "100ms"], env)
    expect(result.code).toBe(0)
    const lines = result.json()
    const progress = lines.filter((line) => line.type === "progress")
    expect(progress.length).toBeGreaterThanOrEqual(1)
    expect(progress.at(-1)).toMatchObject({ session_progress: "completed" })
    // a line per change: no two progress lines alike
    expect(new Set(progress.map((line) => JSON.stringify(line))).size).toBe(progress.length)
    expect(lines.at(-1)).toMatchObject({ type: "outcome", session_id: session, result: "completed" })
  }, 120_000)

  it("insights: the summary on stdout, the full JSON in --out", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bankconnect-cli-"))
    const file = Path.join(dir, "insights.json")
    const result = await run(["insights", completed, "--out", file, "--json"], env)
    expect(result.code).toBe(0)
    const [summary] = result.json()
    expect(summary).toMatchObject({ type: "insights", session_id: completed, out: file })
    expect(summary!.accounts[0]).toMatchObject({ bank: "sbi", transactions: expect.any(Number) })
    expect(summary!.accounts[0].account_number).toMatch(/^X+\d{4}$/)
    const full = JSON.parse(Fs.readFileSync(file, "utf8"))
    expect(full.session_id).toBe(completed)
    expect(full.accounts[0].data.transactions.length).toBe(summary!.accounts[0].transactions)
    expect(Fs.statSync(file).size).toBe(summary!.bytes)
    // the report links (bearer credentials) are in the file, never on stdout
    expect(full.aggregate_xlsx_report_url).toMatch(/X-Amz-Signature/)
    expect(result.stdout).not.toContain("X-Amz-Signature")
    Fs.rmSync(dir, { recursive: true })
  }, 120_000)

  it("initiate, then webhook set: what they did, as text and JSON", async () => {
    const session = (await sim.createSession({ state: "not_requested" })).sessionId
    const first = await run(["initiate", session], env)
    expect(first.code).toBe(0)
    expect(first.stdout).toBe(`processing requested for session ${session}\n`)
    const again = await run(["initiate", session, "--json"], env)
    expect(again.code).toBe(0)
    expect(again.json()).toEqual([{ type: "initiated", session_id: session, already_requested: true }])

    const set = await run(["webhook", "set", "http://127.0.0.1:9/hooks", "--mode", "0", "--json"], env)
    expect(set.code).toBe(0)
    expect(set.json()).toEqual([{ type: "webhook", webhook_url: "http://127.0.0.1:9/hooks", webhook_mode: 0 }])
    expect(await sim.webhook()).toEqual({ url: "http://127.0.0.1:9/hooks", mode: 0 })
  }, 120_000)
})
