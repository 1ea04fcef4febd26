import type { Simulator } from "@effect-bankconnect/simulator"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { ChildProcess } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { exited, nextMessage, sleep, start } from "./utils/children.js"
import { startPostgres } from "./utils/postgres.js"
import type { Message, Options } from "./utils/replicaProcess.js"
import type { Ready } from "./utils/simulatorProcess.js"

// Three replicas in processes of their own on one Postgres, and one simulator (with faults)
// in another: 1,000 sessions; one replica SIGKILLed mid-run, then Postgres restarted once.
// Real processes, sockets and time: they are the point.

const count = 1000
const interval = 3000
const leaseTtl = 6000
/**
 * Scheduling on a loaded 2-core CI machine (other test files run beside this one): timers and
 * child processes run late by up to this much. The figure measured is printed.
 */
const slack = 3000

interface SessionRow {
  readonly session_id: string
  readonly state: string
}
interface EventRow {
  readonly event_id: string
  readonly session_id: string
  readonly tag: string
  readonly acknowledged_at: string | number | null
}

describe("replicas", () => {
  it(
    "three replicas on one Postgres, one SIGKILLed and Postgres restarted: every session completes, each polled by one replica at a time, every event acknowledged",
    async () => {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tracker-replicas-"))
      const log = Path.join(dir, "handled.log")
      Fs.writeFileSync(log, "")
      const postgres = await startPostgres()
      const children: Array<ChildProcess> = []
      const query = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
        Effect.runPromise(
          Effect.flatMap(SqlClient.SqlClient, f).pipe(
            Effect.provide(PgClient.layer({ url: Redacted.make(postgres.url), maxConnections: 1 })),
            Effect.scoped
          )
        )
      try {
        const simulator = start("simulatorProcess.ts", [String(count), "replicas"])
        const replicas = ["r0", "r1", "r2"].map((id) => ({ id, child: start("replicaProcess.ts", []) }))
        children.push(simulator)
        for (const replica of replicas) children.push(replica.child)
        const ready = await nextMessage<Ready>(simulator, 60_000, "simulator")
        const base = { url: postgres.url, log, interval, leaseTtl, ...ready, sessionIds: undefined }
        const tracked = nextMessage<Message>(replicas[0]!.child, 60_000, "r0")
        replicas[0]!.child.send({ ...base, id: "r0", sessionIds: ready.sessionIds } satisfies Options)
        await sleep(500)
        for (const replica of replicas.slice(1)) replica.child.send({ ...base, id: replica.id } satisfies Options)
        expect((await tracked)._tag).toBe("tracked")

        const completedLines = () => Fs.readFileSync(log, "utf8").split("\n").filter((l) => l.includes(" Completed "))
        const until = async (condition: () => boolean | Promise<boolean>, millis: number, what: string) => {
          const deadline = Date.now() + millis
          while (!(await condition())) {
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
            await sleep(250)
          }
        }

        // a third completed: r1 is killed
        await until(() => completedLines().length >= count / 3, 90_000, "a third of the sessions")
        replicas[1]!.child.kill("SIGKILL")
        const killedAt = Date.now()
        await exited(replicas[1]!.child)
        // its sessions taken over, then Postgres restarted
        await sleep(leaseTtl + interval + slack)
        const haltedAt = Date.now()
        await postgres.restart()
        const restartedAt = Date.now()

        // everything completed and handled
        await until(
          async () => {
            try {
              const [row] = await query((sql) =>
                sql<{ tracking: string; pending: string }>`SELECT
  (SELECT COUNT(*) FROM bankconnect_tracker_sessions WHERE state = 'tracking') AS tracking,
  (SELECT COUNT(*) FROM bankconnect_tracker_outbox WHERE acknowledged_at IS NULL) AS pending`
              )
              return Number(row?.tracking) === 0 && Number(row?.pending) === 0
            } catch {
              return false
            }
          },
          120_000,
          "every session to complete and every event to be handled"
        )

        const sessions = await query((sql) =>
          sql<SessionRow>`SELECT session_id, state FROM bankconnect_tracker_sessions`
        )
        const events = await query((sql) =>
          sql<EventRow>`SELECT event_id, session_id, tag, acknowledged_at FROM bankconnect_tracker_outbox`
        )
        simulator.send("requests")
        const { requests } = await nextMessage<{ requests: ReadonlyArray<Simulator.RequestRecord> }>(
          simulator,
          30_000,
          "simulator log"
        )

        // every session completed; every event acknowledged; every Completed event handled
        expect(sessions).toHaveLength(count)
        expect(sessions.filter((session) => session.state !== "completed")).toEqual([])
        expect(events.filter((event) => event.acknowledged_at === null)).toEqual([])
        const completedEvents = events.filter((event) => event.tag === "Completed")
        expect(completedEvents).toHaveLength(count)
        const handled = new Map<string, Array<string>>()
        for (const line of Fs.readFileSync(log, "utf8").split("\n").filter(Boolean)) {
          const [id, , replica] = line.split(" ")
          handled.set(id!, [...(handled.get(id!) ?? []), replica!])
        }
        for (const event of completedEvents) expect(handled.get(event.event_id), event.event_id).toBeDefined()
        const twice = [...handled.entries()].filter(([, by]) => by.length > 1)

        // no session polled by two replicas within one interval
        const polls = requests
          .filter((request) => request.path.endsWith("/progress/") && request.client !== undefined)
          .sort((a, b) => a.at - b.at)
        const last = new Map<string, Simulator.RequestRecord>()
        const overlaps: Array<string> = []
        for (const poll of polls) {
          const previous = last.get(poll.sessionId!)
          if (previous !== undefined && previous.client !== poll.client && poll.at - previous.at < interval) {
            overlaps.push(`${poll.sessionId}: ${previous.client}@${previous.at} ${poll.client}@${poll.at}`)
          }
          last.set(poll.sessionId!, poll)
        }
        expect(overlaps).toEqual([])

        // r1's sessions resumed on the others within the lease TTL and one interval
        const r1Last = new Map<string, number>()
        for (const poll of polls) if (poll.client === "r1") r1Last.set(poll.sessionId!, poll.at)
        const resumedAfter: Array<number> = []
        for (const [sessionId, lastAt] of r1Last) {
          if (lastAt < killedAt - interval - slack) continue // given back or completed before the kill
          const next = polls.find((poll) => poll.sessionId === sessionId && poll.at > killedAt)
          if (next === undefined) continue // completed with r1's last poll
          resumedAfter.push(next.at - killedAt)
        }
        expect(resumedAfter.length).toBeGreaterThan(0)
        resumedAfter.sort((a, b) => a - b)
        expect(Math.max(...resumedAfter)).toBeLessThanOrEqual(leaseTtl + interval + slack)
        expect(polls.some((poll) => poll.client === "r1" && poll.at > killedAt + 200)).toBe(false)

        // eslint-disable-next-line no-console -- the test's report
        console.info(
          `replicas: ${count} sessions, ${polls.length} polls (${
            ["r0", "r1", "r2"].map((id) => `${id} ${polls.filter((poll) => poll.client === id).length}`).join(", ")
          }); r1 killed with ${resumedAfter.length} sessions in hand, resumed after p50 ${
            resumedAfter[Math.floor(resumedAfter.length / 2)]
          } ms, max ${resumedAfter.at(-1)} ms (bound ${leaseTtl} + ${interval}); Postgres down ${
            restartedAt - haltedAt
          } ms; ${handled.size} events handled, ${twice.length} twice (${
            twice.filter(([, by]) => by.includes("r1")).length
          } of them first on r1)`
        )
      } finally {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        await postgres.stop()
        Fs.rmSync(dir, { recursive: true, force: true })
      }
    },
    240_000
  )
})
