/**
 * Time to completion: sessions in the simulator (another process) complete at known
 * instants; the delay from that instant until the library's wait returns, through the
 * webhook (`Completion.awaitCompletion` with `Webhook.serve` in this process) and through
 * polling alone (`BankConnectClient.awaitCompletion`, 2-second interval). The expected bound
 * for polling is one interval plus one round trip; the webhook needs no interval at all.
 */
import { BankConnectClient, Completion, Webhook } from "@effect-bankconnect/client"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as ChildProcess from "./childProcess.js"
import type { Ready } from "./simulatorProcess.js"
import { type Spread, spread } from "./stats.js"

export interface CompletionResult {
  readonly path: "webhook" | "polling alone"
  readonly sessions: number
  /** Delay from the session's completion until the wait returned, ms. */
  readonly delayMs: Spread
  /** One poll interval plus the median round trip of a progress call, ms. */
  readonly expectedBoundMs: number
  /** How the waits said they learned of completion. */
  readonly via: Record<string, number>
}

const sessionsPerPath = 10
const intervalMs = 2000

interface Created {
  readonly sessionId: string
  readonly completesAt: number
}

/** A session whose one statement completes `afterMs` from now (the four stages share it). */
const createSession = async (simulator: Ready, afterMs: number): Promise<Created> => {
  const stage = Math.round(afterMs / 4)
  const response = await fetch(`${simulator.url}/__simulator/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ stageMillis: { identity: stage, transaction: stage, processing: stage, fraud: stage } })
  })
  if (!response.ok) throw new Error(`creating a session: ${response.status} ${await response.text()}`)
  return (await response.json()) as Created
}

export const run = async (): Promise<ReadonlyArray<CompletionResult>> => {
  const simulatorProcess = ChildProcess.start<Ready>("./simulatorProcess.ts")
  try {
    const simulator = await simulatorProcess.message
    const clientLayer = BankConnectClient.layer({
      apiKey: Redacted.make(simulator.apiKey),
      serverHash: Redacted.make(simulator.serverHash),
      baseUrl: simulator.baseUrl
    }).pipe(Layer.provide(FetchHttpClient.layer))

    const program = Effect.gen(function*() {
      const client = yield* BankConnectClient.BankConnectClient
      const receiver = yield* Webhook.WebhookEvents
      yield* client.updateWebhook({ webhookUrl: receiver.url })

      // the round trip of one progress call, for the polling bound
      const probe = yield* Effect.promise(() => createSession(simulator, 60_000))
      const trips: Array<number> = []
      for (let i = 0; i < 20; i++) {
        const before = performance.now()
        yield* client.getProgress(probe.sessionId)
        trips.push(performance.now() - before)
      }
      const roundTripMs = spread(trips).p50

      // completions spread over 3.0 to 6.6 s from now, so they fall at every phase of a poll
      const sessions = yield* Effect.promise(() =>
        Promise.all(Array.from({ length: 2 * sessionsPerPath }, (_, i) => createSession(simulator, 3000 + i * 190)))
      )
      const byPath = {
        webhook: sessions.filter((_, i) => i % 2 === 0),
        "polling alone": sessions.filter((_, i) => i % 2 === 1)
      } as const
      const wait = (path: keyof typeof byPath, session: Created) =>
        Effect.map(
          path === "webhook"
            ? Effect.map(Completion.awaitCompletion(session.sessionId, { interval: intervalMs }), (result): string =>
              result.via)
            : Effect.as(client.awaitCompletion(session.sessionId, { interval: intervalMs }), "polling"),
          (via) => ({ delay: Date.now() - session.completesAt, via })
        )
      return yield* Effect.forEach(
        ["webhook", "polling alone"] as const,
        (path) =>
          Effect.map(
            Effect.forEach(byPath[path], (session) => wait(path, session), { concurrency: "unbounded" }),
            (outcomes): CompletionResult => ({
              path,
              sessions: outcomes.length,
              delayMs: spread(outcomes.map((o) => o.delay)),
              expectedBoundMs: intervalMs + roundTripMs,
              via: outcomes.reduce<Record<string, number>>(
                (counts, o) => ({ ...counts, [o.via]: (counts[o.via] ?? 0) + 1 }),
                {}
              )
            })
          ),
        { concurrency: "unbounded" }
      )
    })
    return await Effect.runPromise(
      program.pipe(Effect.provide(Layer.merge(clientLayer, Webhook.layer())), Effect.scoped)
    )
  } finally {
    await simulatorProcess.stop()
  }
}

const ms = (n: number) => n.toFixed(0)

/** The results as a markdown table. */
export const table = (results: ReadonlyArray<CompletionResult>): string =>
  [
    "| path | sessions | delay after completion p50 / max (ms) | expected bound (ms) | learned via |",
    "|---|---|---|---|---|",
    ...results.map((r) =>
      `| ${r.path} | ${r.sessions} | ${ms(r.delayMs.p50)} / ${ms(r.delayMs.max)} | ` +
      `${r.path === "webhook" ? "-" : ms(r.expectedBoundMs)} | ` +
      `${Object.entries(r.via).map(([via, count]) => `${via}: ${count}`).join(", ")} |`
    )
  ].join("\n")
