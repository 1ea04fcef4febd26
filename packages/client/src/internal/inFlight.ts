import * as Effect from "effect/Effect"

/**
 * Runs effects at most `permits` at a time, the others waiting first come, first served.
 *
 * Effect's own `Semaphore` wakes every waiter on each release and lets them race for the
 * permit, which costs O(waiters) per release: with 10,000 watches queued that came to
 * seconds per burst. Here a release hands its permit to the oldest waiter directly.
 *
 * @internal
 */
export type InFlight = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** @internal */
export const make = (permits: number): InFlight => {
  let free = permits
  // a Set keeps insertion order, and deletes an interrupted waiter in O(1)
  const waiting = new Set<() => void>()

  const release = () => {
    const oldest = waiting.values().next()
    if (oldest.done === true) {
      free++
    } else {
      waiting.delete(oldest.value)
      oldest.value()
    }
  }

  const acquire = Effect.async<void>((resume) => {
    if (free > 0) {
      free--
      resume(Effect.void)
      return
    }
    let granted = false
    const grant = () => {
      granted = true
      resume(Effect.void)
    }
    waiting.add(grant)
    return Effect.sync(() => {
      // interrupted while waiting; if the permit was handed over meanwhile, pass it on
      if (granted) release()
      else waiting.delete(grant)
    })
  })

  return (effect) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(restore(acquire), Effect.ensuring(restore(effect), Effect.sync(release)))
    )
}
