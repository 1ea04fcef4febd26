import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Tracker, TrackerStore } from "../../src/index.js"
import * as Transport from "./transport.js"

/** Lets forked fibers run up to their next wait on the TestClock. */
export const flush = TestClock.adjust(0)

/**
 * Moves the TestClock forward (in steps of `step`, by default at once): the TestClock runs
 * every sleep in time order, and the fake transport answers without promises, so every
 * poll finishes at its own time either way.
 */
export const advance = (millis: number, step = millis) =>
  Effect.gen(function*() {
    yield* flush
    let left = millis
    while (left > 0) {
      const by = Math.min(step, left)
      yield* TestClock.adjust(by)
      yield* flush
      left -= by
    }
  })

/** A tracker over a scripted transport and a store (in memory unless given), for the scope. */
export const make = <E = never, R = never>(options: {
  readonly script: (call: Transport.Call) => Transport.Answer
  readonly tracker?: Tracker.Options<E, R>
  readonly store?: TrackerStore.Service
  readonly observe?: boolean
}) =>
  Effect.gen(function*() {
    const transport = Transport.make(options.script)
    const store = options.store ?? TrackerStore.makeMemory({ retainAcknowledged: true })
    const tracker = yield* Tracker.make(options.tracker).pipe(
      Effect.provide(transport.client(options.observe === undefined ? undefined : { observe: options.observe })),
      Effect.provideService(TrackerStore.TrackerStore, store)
    )
    yield* flush
    return { tracker, transport, store }
  })

/** Every event of a session in the store's outbox, decoded. */
export const storedEvents = (store: TrackerStore.Service, sessionId: string) =>
  Effect.map(store.events(sessionId), (events) => events.map((event) => event.tag))
