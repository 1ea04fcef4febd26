import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as BankCatalogue from "../../src/BankCatalogue.js"
import { catalogue } from "./fixtures.js"

const decodeEither = Schema.decodeUnknownEither(BankCatalogue.BankCatalogue)

describe("BankCatalogue", () => {
  it.effect("decodes the catalogue: optional npci_code, null flags as false, extra fields ignored", () =>
    Effect.gen(function*() {
      const decoded = yield* BankCatalogue.decode(catalogue)
      expect(decoded.count).toBe(492)
      expect(decoded.banks).toHaveLength(3)
      const [sbi, axis, iob] = decoded.banks
      expect(sbi!.npci_code).toBe("SBIN")
      expect(axis!.npci_code).toBeNull()
      expect(iob!.npci_code).toBeNull()
      expect(iob!.logo_url).toBeNull()
      expect(iob!.is_net_banking_available).toBe(false)
      expect("is_new_field" in iob!).toBe(false)
    }))

  it("finds banks whatever the case, lists them by mode, gives the session calls' id", () => {
    const decoded = Either.getOrThrow(decodeEither(catalogue))
    expect(BankCatalogue.find(decoded, "sbi")?.full_name).toBe("State Bank of India")
    expect(BankCatalogue.find(decoded, " Axis ")?.name).toBe("AXIS")
    expect(BankCatalogue.find(decoded, "hdfc")).toBeUndefined()
    expect(BankCatalogue.bankId(decoded.banks[0]!)).toBe("sbi")
    expect(BankCatalogue.supporting(decoded, "pdf").map((bank) => bank.name)).toEqual(["SBI", "AXIS", "IOB"])
    expect(BankCatalogue.supporting(decoded, "online").map((bank) => bank.name)).toEqual(["SBI"])
    expect(BankCatalogue.supporting(decoded, "aa").map((bank) => bank.name)).toEqual(["SBI", "IOB"])
  })

  it("reads a count given as a string, a missing count as null, missing banks as none", () => {
    expect(Either.getOrThrow(decodeEither({ count: "492", banks: [] })).count).toBe(492)
    const empty = Either.getOrThrow(decodeEither({}))
    expect(empty.count).toBeNull()
    expect(empty.banks).toEqual([])
  })

  it("fails on a value of the wrong kind, naming the path and the kind", () => {
    const result = decodeEither({ count: 2, banks: [catalogue.banks[0], { name: "X", is_aa_available: "yes" }] })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(ParseResult.ArrayFormatter.formatErrorSync(result.left).map(({ message, path }) => ({ path, message })))
        .toEqual([{ path: ["banks", 1, "is_aa_available"], message: "Expected a boolean or null, got a string" }])
    }
  })
})
