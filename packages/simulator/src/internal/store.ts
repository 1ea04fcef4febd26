import { randomUUID } from "node:crypto"
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
 * What sessions made by the API's create call follow, and how the simulated account answers.
 *
 * @internal
 */
export interface Settings {
  /** The scenario of sessions made by `POST /session/` (its `sessionId` and `state` are not used). */
  readonly scenario: Scenario.Scenario
  readonly enabledModes: ReadonlyArray<"pdf" | "aa" | "online">
  /** 402 `PAYMENT_REQUIRED` on create, 402 `TRIAL_PERIOD_EXPIRED` on upload. */
  readonly outOfCredit: boolean
  readonly duplicateProcessingStatus: 400 | 409 | undefined
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0")

/**
 * A version 4 UUID drawn from `random`.
 *
 * @internal
 */
export const uuidFrom = (random: () => number): string => {
  const h = hex(random() * 2 ** 32) + hex(random() * 2 ** 32) + hex(random() * 2 ** 32) + hex(random() * 2 ** 32)
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

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
  /** The bytes of the uploaded PDFs kept (see `Limits.maxStoredUploadBytes`). */
  uploadBytes = 0
  webhook: Simulator.WebhookRegistration | undefined = undefined
  faults: Scenario.Faults
  settings: Settings
  readonly requests: BoundedLog<Simulator.RequestRecord>
  readonly webhookAttempts: BoundedLog<Simulator.WebhookAttempt>
  readonly random: () => number
  /** A new id: random, or repeatable when the simulator has a seed. */
  readonly uuid: () => string
  /** The key that signs report and PDF links. */
  readonly linkKey: string

  constructor(options: {
    readonly faults: Scenario.Faults
    readonly seed: number | undefined
    readonly maxLogEntries: number
    readonly settings: Settings
  }) {
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32)
    this.faults = options.faults
    this.settings = options.settings
    this.random = Faults.seededRandom(seed)
    if (options.seed === undefined) {
      this.uuid = () => randomUUID()
      this.linkKey = randomUUID()
    } else {
      const ids = Faults.seededRandom(seed ^ 0x5bd1e995)
      this.uuid = () => uuidFrom(ids)
      this.linkKey = uuidFrom(ids)
    }
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
