import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import { BoundedMap } from "../src/internal/boundedMap.js"

// The receiver's memory (its dedupe keys, serve's recent enrichments) is a BoundedMap: it
// must keep exactly the newest entries within its capacity and weight, whatever the order
// of sets and deletes. A plain array of entries, newest last, is the reference.

type Op = readonly ["set", number, number] | readonly ["delete", number]

const op: FastCheck.Arbitrary<Op> = FastCheck.oneof(
  FastCheck.tuple(FastCheck.constant("set" as const), FastCheck.integer({ min: 0, max: 30 }), FastCheck.nat(40)),
  FastCheck.tuple(FastCheck.constant("delete" as const), FastCheck.integer({ min: 0, max: 30 }))
)

const reference = (capacity: number, maxWeight: number, ops: ReadonlyArray<Op>) => {
  let entries: Array<readonly [number, number]> = []
  for (const [kind, key, weight] of ops) {
    entries = entries.filter(([k]) => k !== key)
    if (kind === "delete" || weight! > maxWeight) continue
    entries.push([key, weight!])
    const total = () => entries.reduce((sum, [, w]) => sum + (Number.isFinite(maxWeight) ? w : 0), 0)
    while (entries.length > capacity || total() > maxWeight) entries.shift()
  }
  return entries
}

describe("BoundedMap", () => {
  it("keeps the newest entries within its capacity and weight, for any sets and deletes", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.integer({ min: 1, max: 8 }),
        FastCheck.oneof(FastCheck.constant(Infinity), FastCheck.integer({ min: 1, max: 100 })),
        FastCheck.array(op, { maxLength: 200 }),
        (capacity, maxWeight, ops) => {
          const map = new BoundedMap<number, number>(capacity, maxWeight)
          for (const [kind, key, weight] of ops) {
            if (kind === "set") map.set(key, key * 10, weight)
            else map.delete(key)
          }
          const expected = reference(capacity, maxWeight, ops)
          expect(map.size).toBe(expected.length)
          for (const [key] of expected) expect(map.get(key)).toBe(key * 10)
          for (let key = 0; key <= 30; key++) {
            expect(map.has(key)).toBe(expected.some(([k]) => k === key))
          }
          if (Number.isFinite(maxWeight)) expect(map.weight).toBe(expected.reduce((sum, [, w]) => sum + w, 0))
        }
      ),
      { numRuns: 2000 }
    )
  })
})
