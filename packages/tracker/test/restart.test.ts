import * as LibsqlClient from "@effect/sql-libsql/LibsqlClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { ChildProcess } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { exited, nextMessage, sleep, start } from "./utils/children.js"
import type { Ready } from "./utils/simulatorProcess.js"
import type { Message, Options } from "./utils/trackerProcess.js"

const count = 1000

describe("restart", () => {
  it(
    "a tracker killed mid-run and restarted on the same libsql file completes every session, loses no event, acknowledges each once",
    async () => {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tracker-restart-"))
      const url = `file:${Path.join(dir, "tracker.db")}`
      const log = Path.join(dir, "handled.log")
      Fs.writeFileSync(log, "")
      const simulator = start("simulatorProcess.ts", [String(count)])
      // the first tracker loads while the simulator starts
      const first = start("trackerProcess.ts", [])
      const children: Array<ChildProcess> = [simulator, first]
      try {
        const loaded = nextMessage<Message>(first, 60_000, "first tracker")
        const ready = await nextMessage<Ready>(simulator, 60_000, "simulator")
        expect(ready.sessionIds).toHaveLength(count)
        expect((await loaded)._tag).toBe("loaded")
        const untrack = ready.sessionIds.filter((_, i) => i % 20 === 7)
        const options: Options = { mode: "track", url, log, ...ready, untrack }

        // first life: track everything, run until a third of the sessions completed, then SIGKILL
        first.send(options)
        const tracked = await nextMessage<Message>(first, 30_000, "first tracker")
        expect(tracked._tag).toBe("tracked")
        const deadline = Date.now() + 60_000
        const completedLines = () =>
          Fs.readFileSync(log, "utf8").split("\n").filter((l) => l.endsWith(" Completed")).length
        while (completedLines() < count / 3 && Date.now() < deadline) await sleep(50)
        expect(completedLines()).toBeGreaterThanOrEqual(count / 3)
        first.kill("SIGKILL")
        await exited(first)
        const handledBeforeKill = Fs.readFileSync(log, "utf8").split("\n").filter(Boolean).length
        expect(completedLines()).toBeLessThan(count - untrack.length)

        // second life: the same file; it exits once nothing is tracked or pending
        const second = start("trackerProcess.ts", [])
        children.push(second)
        expect((await nextMessage<Message>(second, 60_000, "second tracker"))._tag).toBe("loaded")
        second.send({ ...options, mode: "resume" } satisfies Options)
        const done = await nextMessage<Message>(second, 90_000, "second tracker")
        expect(done._tag).toBe("done")
        await exited(second)

        // what the store holds
        const { events, sessions } = await Effect.runPromise(
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const sessions = yield* sql<{ session_id: string; state: string; updated_at: number; event_seq: number }>`
            SELECT session_id, state, updated_at, event_seq FROM bankconnect_tracker_sessions`
            const events = yield* sql<
              {
                event_id: string
                session_id: string
                seq: number
                tag: string
                created_at: number
                acknowledged_at: number | null
              }
            >`SELECT event_id, session_id, seq, tag, created_at, acknowledged_at FROM bankconnect_tracker_outbox`
            return { sessions, events }
          }).pipe(Effect.provide(LibsqlClient.layer({ url })), Effect.scoped)
        )
        const untracked = new Set(untrack)
        expect(sessions).toHaveLength(count)
        for (const session of sessions) {
          expect(session.state).toBe(untracked.has(session.session_id) ? "untracked" : "completed")
        }

        // every event acknowledged; each handled at least once, and at most once per life
        expect(events.every((event) => event.acknowledged_at !== null)).toBe(true)
        const handled = Fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((line) => line.split(" ")[0]!)
        const times = new Map<string, number>()
        for (const id of handled) times.set(id, (times.get(id) ?? 0) + 1)
        expect(new Set(times.keys())).toEqual(new Set(events.map((event) => event.event_id)))
        expect(Math.max(...times.values())).toBeLessThanOrEqual(2)
        // only events handled before the kill can have run twice
        const twice = [...times.values()].filter((n) => n === 2).length
        expect(twice).toBeLessThanOrEqual(handledBeforeKill)

        // no event lost: each session's events are numbered 1..n without a gap, Tracked first,
        // Completed last and once
        const bySession = new Map<string, Array<(typeof events)[number]>>()
        for (const event of events) {
          const list = bySession.get(event.session_id) ?? []
          list.push(event)
          bySession.set(event.session_id, list)
        }
        const sessionById = new Map(sessions.map((session) => [session.session_id, session]))
        for (const [sessionId, list] of bySession) {
          list.sort((a, b) => Number(a.seq) - Number(b.seq))
          expect(list[0]!.tag).toBe("Tracked")
          const session = sessionById.get(sessionId)!
          if (untracked.has(sessionId)) {
            // none after the untrack
            expect(list.every((event) => Number(event.created_at) <= Number(session.updated_at))).toBe(true)
            expect(list.some((event) => event.tag === "Completed")).toBe(false)
            continue
          }
          expect(list.map((event) => Number(event.seq))).toEqual(list.map((_, i) => i + 1))
          expect(list[list.length - 1]!.tag).toBe("Completed")
          expect(list.filter((event) => event.tag === "Completed")).toHaveLength(1)
          expect(Number(session.event_seq)).toBe(list.length)
        }
        expect(bySession.size).toBe(count)
      } finally {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        Fs.rmSync(dir, { recursive: true, force: true })
      }
    },
    180_000
  )
})
