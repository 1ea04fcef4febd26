import * as Limits from "../Limits.js"
import type * as Scenario from "../Scenario.js"
import type * as Simulator from "../Simulator.js"
import * as Faults from "./faults.js"
import type * as Timeline from "./timeline.js"

/**
 * A log that keeps the newest `maxEntries` entries, and no more than `maxBytes` of them as
 * JSON: each entry comes with its weight, about the bytes of its JSON.
 *
 * @internal
 */
export class BoundedLog<A> {
  private entries: Array<A> = []
  private weights: Array<number> = []
  private total = 0
  constructor(private readonly maxEntries: number, private readonly maxBytes: number) {}
  push(entry: A, weight: number) {
    this.entries.push(entry)
    this.weights.push(weight)
    this.total += weight
    let drop = Math.max(0, this.entries.length - this.maxEntries)
    let total = this.total
    for (let i = 0; i < drop; i++) total -= this.weights[i] ?? 0
    while (drop < this.entries.length && total > this.maxBytes) total -= this.weights[drop++] ?? 0
    if (drop > 0) {
      this.entries.splice(0, drop)
      this.weights.splice(0, drop)
      this.total = total
    }
  }
  all(): ReadonlyArray<A> {
    return this.entries.slice()
  }
  /** About the bytes of the entries kept, as JSON. */
  get bytes(): number {
    return this.total
  }
  clear() {
    this.entries = []
    this.weights = []
    this.total = 0
  }
}

/**
 * About the bytes of a value as JSON.
 *
 * @internal
 */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? "")

/**
 * The simulator's state: sessions, the registered webhook, the server-wide faults and
 * the logs. JavaScript runs one handler at a time, so plain mutation is safe here.
 *
 * @internal
 */
export class Store {
  readonly sessions = new Map<string, Timeline.Session>()
  /** About the bytes of the sessions kept, as the JSON of their listing (see `Limits.maxStoredSessionBytes`). */
  sessionBytes = 0
  webhook: Simulator.WebhookRegistration | undefined = undefined
  faults: Scenario.Faults
  readonly requests: BoundedLog<Simulator.RequestRecord>
  readonly webhookAttempts: BoundedLog<Simulator.WebhookAttempt>
  readonly random: () => number

  constructor(options: { readonly faults: Scenario.Faults; readonly seed: number; readonly maxLogEntries: number }) {
    this.faults = options.faults
    this.random = Faults.seededRandom(options.seed)
    this.requests = new BoundedLog(options.maxLogEntries, Limits.maxLogBytes)
    this.webhookAttempts = new BoundedLog(options.maxLogEntries, Limits.maxLogBytes)
  }

  /** The faults for a call about `sessionId`: its scenario's, else the server's. */
  faultsFor(sessionId: string | undefined): Scenario.Faults {
    const session = sessionId === undefined ? undefined : this.sessions.get(sessionId)
    return session?.scenario.faults ?? this.faults
  }

  update(id: string, f: (session: Timeline.Session) => Timeline.Session) {
    const session = this.sessions.get(id)
    if (session !== undefined) this.sessions.set(id, f(session))
  }
}
