import { AsyncSimulator } from "@effect-bankconnect/simulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { credentials, envFor, noStackTrace, outputs, run, start, waitFor } from "./utils/bin.js"

// `bankconnect track`: sessions added to the tracker's libsql store (a file per test), listed,
// removed, and the tracker run on it against an in-process simulator, each as a process.

const fast = { identity: 100, transaction: 100, processing: 100, fraud: 100 }
const incompleteMonths = {
  status: "failed",
  errorCode: "INCOMPLETE_MONTHS",
  months: ["2023-11", "2023-12"]
} as const

let sim: AsyncSimulator.AsyncSimulator
let env: NodeJS.ProcessEnv
let dir: string
let files = 0

/** A database file of its own, not there yet. */
const freshDb = () => `file:${Path.join(dir, `tracker-${++files}.db`)}`

beforeAll(async () => {
  sim = await AsyncSimulator.start({ webhooks: { backoff: "100 millis", retries: 1 } })
  env = envFor(sim.baseUrl)
  dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bankconnect-track-"))
})

afterAll(async () => {
  await sim.close()
  Fs.rmSync(dir, { recursive: true, force: true })
  for (const output of outputs) {
    expect(output).not.toContain(credentials.apiKey)
    expect(output).not.toContain(credentials.serverHash)
  }
})

/** The lines of a text output. */
const linesOf = (text: string) => text.split("\n").filter((line) => line !== "")

/** One line on stderr, nothing on stdout, no stack trace. */
const oneLine = (result: { readonly stdout: string; readonly stderr: string }) => {
  expect(result.stdout).toBe("")
  expect(linesOf(result.stderr)).toHaveLength(1)
  expect(result.stderr.startsWith("bankconnect: ")).toBe(true)
  expect(noStackTrace(result.stderr)).toBe(true)
}

describe("bankconnect track", () => {
  it("add, list, remove: the store alone, without credentials", async () => {
    const db = freshDb()
    const offline = envFor(undefined)
    const added = await run(
      ["track", "add", "s-1", "s-2", "--reference", "application-42", "--db", db, "--json"],
      offline
    )
    expect(added.code).toBe(0)
    expect(added.json()).toEqual([
      { type: "added", session_id: "s-1", added: true, state: "tracking", reference: "application-42", deadline: null },
      { type: "added", session_id: "s-2", added: true, state: "tracking", reference: "application-42", deadline: null }
    ])

    // adding again leaves it as it is; a deadline is a moment from now
    const again = await run(["track", "add", "s-2", "s-3", "--deadline", "2h", "--db", db], offline)
    expect(again.code).toBe(0)
    expect(linesOf(again.stdout)[0]).toBe("session s-2 is already in the store (tracking): left as it is")
    expect(linesOf(again.stdout)[1]).toMatch(/^tracking session s-3, deadline \d{4}-\d\d-\d\dT[\d:.]+Z$/)

    // the database from the environment, as SqlTrackerStore.config reads it
    const listed = await run(["track", "list", "--json"], envFor(undefined, { BANKCONNECT_TRACKER_DATABASE_URL: db }))
    expect(listed.code).toBe(0)
    const sessions = listed.json()
    expect(sessions.map((s) => [s.session_id, s.state, s.reference])).toEqual([
      ["s-1", "tracking", "application-42"],
      ["s-2", "tracking", "application-42"],
      ["s-3", "tracking", null]
    ])
    expect(sessions[0]).toMatchObject({ type: "session", session_progress: null, outcome: null, deadline: null })
    const deadline = Date.parse(sessions[2]!.deadline)
    expect(deadline - Date.parse(sessions[2]!.tracked_at)).toBe(2 * 3_600_000)

    const removed = await run(["track", "remove", "s-1", "nope", "--db", db, "--json"], offline)
    expect(removed.code).toBe(0)
    expect(removed.json()).toEqual([
      { type: "removed", session_id: "s-1", untracked: true, previous_state: "tracking" },
      { type: "removed", session_id: "nope", untracked: false, previous_state: null }
    ])

    const text = await run(["track", "list", "--state", "untracked", "--db", db], offline)
    expect(text.code).toBe(0)
    expect(linesOf(text.stdout)).toEqual(["s-1  untracked  (application-42)"])
  }, 120_000)

  it("run --until-done --json: each session's events in order, each account's typed failure (exit 3)", async () => {
    const db = freshDb()
    const completed = (await sim.createSession({ accounts: [{ statements: 2 }], stageMillis: fast })).sessionId
    const failed = (await sim.createSession({ accounts: [{ outcome: incompleteMonths }], stageMillis: fast }))
      .sessionId
    expect((await run(["track", "add", completed, failed, "--db", db], env)).code).toBe(0)

    const result = await run(["track", "run", "--until-done", "--interval", "200ms", "--db", db, "--json"], env)
    expect(result.code).toBe(3)
    const lines = result.json()
    for (const session of [completed, failed]) {
      const events = lines.filter((line) => line.session_id === session)
      expect(events.every((event) => event.type === "tracker_event")).toBe(true)
      // numbered in order, a progress change first, the outcome last
      expect(events.map((event) => event.seq)).toEqual([...events.map((event) => event.seq)].sort((a, b) => a - b))
      expect(events[0]).toMatchObject({ event: "ProgressChanged", id: `${session}:${events[0]!.seq}` })
      expect(events.at(-1)).toMatchObject({ event: "Completed", via: "polling" })
      expect(events.filter((event) => event.event === "Completed")).toHaveLength(1)
    }
    const outcome = (session: string) => lines.find((line) => line.session_id === session && line.event === "Completed")
    expect(outcome(completed)).toMatchObject({
      result: "completed",
      insights_available: true,
      statements: { completed: 2, failed: 0 },
      accounts: [{ bank_name: "sbi", account_status: "completed", failure: null }]
    })
    expect(outcome(failed)).toMatchObject({ result: "failed", statements: { completed: 0, failed: 1 } })
    expect(outcome(failed)!.accounts[0].failure).toEqual({
      tag: "IncompleteMonths",
      code: "INCOMPLETE_MONTHS",
      message: "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023",
      months: ["2023-11", "2023-12"]
    })
    expect(lines.at(-1)).toEqual({
      type: "done",
      completed: 2,
      account_failed: 1,
      failed: 0,
      timed_out: 0,
      untracked: 0,
      exit_code: 3
    })

    // the outcomes are in the store
    const listed = await run(["track", "list", "--db", db], env)
    expect(linesOf(listed.stdout).sort()).toEqual([
      `${completed}  completed  via polling, 1 account`,
      `${failed}  completed  via polling, 1 account (1 failed)`
    ].sort())

    // nothing left: it says so and exits 0
    const nothing = await run(["track", "run", "--until-done", "--db", db], env)
    expect(nothing.code).toBe(0)
    expect(nothing.stderr).toContain("no session is tracking in")
  }, 120_000)

  it("run: lines as events come; sessions added and removed while it runs; a failed session (exit 1)", async () => {
    const db = freshDb()
    const slow = (await sim.createSession({ stageMillis: { identity: 600_000 } })).sessionId
    expect((await run(["track", "add", slow, "no-such-session", "--db", db], env)).code).toBe(0)
    const running = start(["track", "run", "--until-done", "--interval", "200ms", "--db", db], env)
    await waitFor(() => running.stdout().includes("failed SessionNotFound"), "the failed session")
    expect(running.stderr()).toContain(`tracking 2 sessions in ${db}: polling every 200ms; until none is left tracking`)

    // picked up while it runs
    const added = (await sim.createSession({ accounts: [{ outcome: incompleteMonths }], stageMillis: fast }))
      .sessionId
    expect((await run(["track", "add", added, "--reference", "application-7", "--db", db], env)).code).toBe(0)
    await waitFor(() => running.stdout().includes(`session ${added} (application-7): completed with`), "the added one")
    await waitFor(() => running.stdout().includes(`session ${slow}: processing`), "the slow one's progress")

    // removed while it runs: no longer tracking, so it is done
    expect((await run(["track", "remove", slow, "--db", db], env)).code).toBe(0)
    expect(await running.exited).toBe(1)
    const lines = linesOf(running.stdout())
    const at = /^\d\d:\d\d:\d\d /
    expect(lines.find((line) => line.includes("no-such-session"))).toMatch(
      new RegExp(
        `${at.source}session no-such-session: failed SessionNotFound: session no-such-session was not found ` +
          `\\(HTTP 404 SESSION_NOT_FOUND\\); check the session id`
      )
    )
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`${at.source}session ${slow}: processing, 1 statement \\(1 running\\), stages 0/4$`)
      )
    )
    const completion = lines.findIndex((line) => line.includes(`session ${added} (application-7): completed with`))
    expect(lines[completion]).toMatch(
      /completed with a failed account \(via polling\), 1 account, insights available: no$/
    )
    expect(lines[completion + 1]).toMatch(
      /^ {11}account \S+ \(sbi\): failed INCOMPLETE_MONTHS: no transactions for Nov 2023, Dec 2023$/
    )
    expect(lines.findIndex((line) => line.includes(`session ${added} (application-7): completed, 1 statement`)))
      .toBeLessThan(completion)
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`${at.source}session ${slow}: untracked \\(track remove\\), no longer polled$`))
    )
    expect(lines.at(-1)).toBe(
      "done, no session left tracking: 1 completed (1 with a failed account), 1 failed, 0 timed out, 1 untracked"
    )
    expect(running.stderr()).toContain("sessions were added: tracking 2 sessions")
    expect(noStackTrace(running.stderr())).toBe(true)
  }, 120_000)

  it("run --listen: completion webhook first, though polls are a minute apart; Ctrl-C stops it (exit 0)", async () => {
    const db = freshDb()
    const port = 40_000 + Math.floor(Math.random() * 20_000)
    const running = start(
      [
        "track",
        "run",
        "--listen",
        String(port),
        "--interval",
        "60s",
        "--fallback-interval",
        "60s",
        "--db",
        db,
        "--json"
      ],
      env
    )
    await waitFor(() => running.stdout().includes(`"type":"listening"`), "the receiver")
    expect(JSON.parse(linesOf(running.stdout())[0]!)).toEqual({
      type: "listening",
      url: `http://127.0.0.1:${port}/webhooks/bankconnect`,
      port
    })
    expect((await run(["webhook", "set", `http://127.0.0.1:${port}/webhooks/bankconnect`], env)).code).toBe(0)
    const session = (await sim.createSession({ stageMillis: { ...fast, identity: 2000 } })).sessionId
    const started = Date.now()
    expect((await run(["track", "add", session, "--db", db], env)).code).toBe(0)
    await waitFor(() => running.stdout().includes(`"event":"Completed"`), "the completion", 40)
    // within seconds: the webhook made the tracker poll, not its one-minute interval
    expect(Date.now() - started).toBeLessThan(40_000)
    const completed = linesOf(running.stdout()).map((line) => JSON.parse(line)).find((line) =>
      line.event === "Completed"
    )
    expect(completed).toMatchObject({ session_id: session, via: "webhook", result: "completed" })
    const attempts = await sim.webhookAttempts()
    expect(attempts.find((a) => a.sessionId === session)).toMatchObject({ outcome: "delivered", status: 200 })

    running.child.kill("SIGINT")
    expect(await running.exited).toBe(0)
    expect(running.stderr()).toBe("")
  }, 120_000)

  it("bad usage: exit 2 and one line; --help with examples", async () => {
    const db = freshDb()
    const interval = await run(["track", "run", "--interval", "soon", "--db", db], env)
    expect(interval.code).toBe(2)
    oneLine(interval)
    expect(interval.stderr).toBe(
      "bankconnect: --interval: expected a duration such as 90s, 10m or 1h, got \"soon\"; " +
        "see bankconnect track run --help\n"
    )

    const missing = await run(["track", "add", "--db", db], env)
    expect(missing.code).toBe(2)
    oneLine(missing)
    expect(missing.stderr).toBe("bankconnect: Missing argument <session>; see bankconnect track add --help\n")

    const noCredentials = await run(["track", "run", "--db", db], envFor(undefined))
    expect(noCredentials.code).toBe(2)
    oneLine(noCredentials)
    expect(noCredentials.stderr).toContain("BANKCONNECT_API_KEY and BANKCONNECT_SERVER_HASH are not set")

    const help = await run(["track", "run", "--help"], env)
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("$ bankconnect track run --until-done --json")
    expect(help.stdout).toContain("--until-done")
  }, 120_000)

  it("a database that cannot be opened, refused credentials: exit 1 and one line", async () => {
    const unopenable = await run(["track", "list", "--db", `file:${Path.join(dir, "no", "such", "dir", "x.db")}`], env)
    expect(unopenable.code).toBe(1)
    oneLine(unopenable)
    expect(unopenable.stderr).toMatch(/^bankconnect: TrackerStoreError: Could not open file:\S+x\.db: /)
    expect(unopenable.stderr).toContain("; check --db (or BANKCONNECT_TRACKER_DATABASE_URL)")

    // refused credentials stop it before the tracker ends every session failed
    const db = freshDb()
    expect((await run(["track", "add", "s-1", "--db", db], env)).code).toBe(0)
    const wrongKey = "wrong-api-key-0123456789"
    const refused = await run(["track", "run", "--until-done", "--api-key", wrongKey, "--db", db], env)
    expect(refused.code).toBe(1)
    expect(linesOf(refused.stderr).at(-1)).toMatch(/^bankconnect: AccessDenied: BankConnect refused the credentials/)
    expect(refused.stdout + refused.stderr).not.toContain(wrongKey)
    const still = await run(["track", "list", "--db", db, "--json"], env)
    expect(still.json()).toEqual([expect.objectContaining({ session_id: "s-1", state: "tracking" })])
  }, 120_000)
})
