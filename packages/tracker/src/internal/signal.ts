import * as Effect from "effect/Effect"

/**
 * A wake-up for one waiting fiber: `notify` resumes it, or, when none waits, makes its
 * next `wait` return at once. Plain callbacks, no fiber per wait.
 *
 * @internal
 */
export class Signal {
  private resume: ((effect: Effect.Effect<void>) => void) | undefined = undefined
  private pending = false

  notify(): void {
    const resume = this.resume
    if (resume === undefined) {
      this.pending = true
      return
    }
    this.resume = undefined
    resume(Effect.void)
  }

  readonly wait: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.pending) {
      this.pending = false
      resume(Effect.void)
      return
    }
    this.resume = resume
    return Effect.sync(() => {
      if (this.resume === resume) this.resume = undefined
    })
  })

  /** Waits for a notification, or `millis` at most (on the `Clock`). */
  waitAtMost(millis: number): Effect.Effect<void> {
    if (this.pending) {
      this.pending = false
      return Effect.void
    }
    return Effect.raceFirst(this.wait, Effect.sleep(Math.max(0, millis)))
  }
}
