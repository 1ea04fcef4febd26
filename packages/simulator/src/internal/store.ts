import type * as Scenario from "../Scenario.js"
import type * as Simulator from "../Simulator.js"
import * as Faults from "./faults.js"
import type * as Timeline from "./timeline.js"

/** A log that keeps the newest `max` entries. */
class BoundedLog<A> {
  private entries: Array<A> = []
  constructor(private readonly max: number) {}
  push(entry: A) {
    this.entries.push(entry)
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max)
  }
  all(): ReadonlyArray<A> {
    return this.entries.slice()
  }
  clear() {
    this.entries = []
  }
}

/**
 * The simulator's state: sessions, the registered webhook, the server-wide faults and
 * the logs. JavaScript runs one handler at a time, so plain mutation is safe here.
 *
 * @internal
 */
export class Store {
  readonly sessions = new Map<string, Timeline.Session>()
  webhook: Simulator.WebhookRegistration | undefined = undefined
  faults: Scenario.Faults
  readonly requests: BoundedLog<Simulator.RequestRecord>
  readonly webhookAttempts: BoundedLog<Simulator.WebhookAttempt>
  readonly random: () => number

  constructor(options: { readonly faults: Scenario.Faults; readonly seed: number; readonly maxLogEntries: number }) {
    this.faults = options.faults
    this.random = Faults.seededRandom(options.seed)
    this.requests = new BoundedLog(options.maxLogEntries)
    this.webhookAttempts = new BoundedLog(options.maxLogEntries)
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
