import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

/** A tracer that records every span it starts, over the current (native) one. */
export const capturingTracer = Effect.map(Effect.tracer, (native) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: native.context
  })
  return { tracer, spans }
})
