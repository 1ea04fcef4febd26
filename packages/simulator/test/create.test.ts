import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { Limits, Simulator } from "../src/index.js"
import { request } from "./utils/http.js"
import { create, createV2Path, uploadStatusPath } from "./utils/lifecycle.js"

const code = (answer: { status: number; json: any }) => [answer.status, answer.json?.error?.code]

describe("POST /session/ (create session)", () => {
  it.scoped("creates a session in the upload phase, v1 and v2, with the key in the header or the body", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      yield* TestClock.setTime(Date.UTC(2025, 10, 13, 6, 48, 34))
      const v1 = yield* create(sim, { link_id: "customer-1", from_date: "11/08/2025", to_date: "11/11/2025" })
      expect(v1.status).toBe(200)
      expect(Object.keys(v1.json).sort()).toEqual(["redirect_url", "session_id"])
      expect(v1.json.redirect_url).toBe(`${sim.url}/__simulator/journey?session_id=${v1.json.session_id}`)
      const journey = yield* request(
        sim,
        "GET",
        new URL(v1.json.redirect_url).pathname + new URL(v1.json.redirect_url).search
      )
      expect(journey.status).toBe(200)

      const v2 = yield* create(sim, { link_id: "customer-1", api_key: sim.apiKey, bank: "HDFC" }, {
        path: createV2Path,
        headers: { "content-type": "application/json" }
      })
      expect(v2.status).toBe(200)
      expect(v2.json.redirect_url).toMatch(new RegExp(`\\?session_id=${v2.json.session_id}&token=[0-9a-f]{64}$`))

      // a new session: no uploads yet, the window asked for, an expiry an hour on
      const status = yield* request(sim, "GET", uploadStatusPath(v1.json.session_id))
      expect(status.json).toEqual({
        session_id: v1.json.session_id,
        session_date_range: { from_date: "11/08/2025", to_date: "11/11/2025" },
        upload_status: "NO_UPLOAD",
        session_expiry_timestamp: "2025-11-13 07:48:34",
        accounts: [],
        error: {}
      })
      // the default window: the six months to today
      const defaults = yield* request(sim, "GET", uploadStatusPath(v2.json.session_id))
      expect(defaults.json.session_date_range).toEqual({ from_date: "13/05/2025", to_date: "13/11/2025" })
      const info = Option.getOrThrow(yield* sim.session(v1.json.session_id))
      expect(info).toMatchObject({ state: "not_requested", origin: "api", linkId: "customer-1", accountIds: [] })
      expect(info.expiresAt).toBe(Date.UTC(2025, 10, 13, 7, 48, 34))
      const log = yield* sim.requests
      expect(log.slice(0, 2).map((r) => [r.path, r.status, r.sessionId, r.authorized])).toEqual([
        ["/bank-connect/v1/session/", 200, v1.json.session_id, true],
        ["/bank-connect/v2/session/", 200, v2.json.session_id, true]
      ])
    }))

  it.scoped("answers 401 without a key, 403 with a wrong one, and takes either place", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const json = { "content-type": "application/json" }
      const none = yield* create(sim, { link_id: "a" }, { headers: json })
      expect(code(none)).toEqual([401, "AUTHENTICATION_CREDENTIALS_NOT_PROVIDED"])
      const wrong = yield* create(sim, { link_id: "a", api_key: "nope" }, { headers: json })
      expect(code(wrong)).toEqual([403, "ACCESS_DENIED"])
      const wrongHeader = yield* create(sim, { link_id: "a" }, { headers: { ...json, "x-api-key": "nope" } })
      expect(code(wrongHeader)).toEqual([403, "ACCESS_DENIED"])
      // a right one anywhere is enough
      const either = yield* create(sim, { link_id: "a", api_key: sim.apiKey }, {
        headers: { ...json, "x-api-key": "nope" }
      })
      expect(either.status).toBe(200)
      expect((yield* sim.requests).map((r) => r.authorized)).toEqual([false, false, false, true])
      expect(JSON.stringify(yield* sim.requests)).not.toContain(sim.apiKey)
    }))

  it.scoped("answers 415 for a body that is not JSON by its type, 400 for bad JSON, 413 past Limits.maxBodyBytes", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const text = yield* create(sim, "link_id=a", {
        headers: { "content-type": "text/plain", "x-api-key": sim.apiKey }
      })
      expect(code(text)).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"])
      const form = yield* create(sim, JSON.stringify({ link_id: "a" }), {
        headers: { "content-type": "application/x-www-form-urlencoded", "x-api-key": sim.apiKey }
      })
      expect(form.status).toBe(415)
      const broken = yield* create(sim, "{\"link_id\": ")
      expect(code(broken)).toEqual([400, "INVALID_REQUEST"])
      const array = yield* create(sim, "[1]")
      expect(code(array)).toEqual([400, "INVALID_REQUEST"])
      const huge = yield* create(sim, JSON.stringify({ link_id: "a", pad: "x".repeat(Limits.maxBodyBytes) }))
      expect(code(huge)).toEqual([413, "PAYLOAD_TOO_LARGE"])
      expect((yield* sim.sessions).length).toBe(0)
    }))

  it.scoped("answers each documented validation code", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ enabledModes: ["pdf", "online"] })
      const cases: ReadonlyArray<readonly [Record<string, unknown>, number, string]> = [
        [{}, 400, "INVALID_REQUEST"],
        [{ link_id: "" }, 400, "INVALID_REQUEST"],
        [{ link_id: 42 }, 400, "INVALID_REQUEST"],
        [{ link_id: "x".repeat(Limits.maxLinkIdLength + 1) }, 400, "INVALID_LENGTH"],
        [{ link_id: "a", from_date: "01/01/2025" }, 400, "MISSING_DATE_FIELD"],
        [{ link_id: "a", to_date: "01/01/2025" }, 400, "MISSING_DATE_FIELD"],
        [{ link_id: "a", from_date: "2025-01-01", to_date: "31/03/2025" }, 400, "INVALID_DATE_FORMAT"],
        [{ link_id: "a", from_date: "31/02/2025", to_date: "31/03/2025" }, 400, "INVALID_DATE_FORMAT"],
        [{ link_id: "a", from_date: "01/04/2025", to_date: "31/03/2025" }, 400, "INVALID_DATE_RANGE"],
        [{ link_id: "a", from_date: "01/01/2015", to_date: "31/03/2025" }, 400, "INVALID_DATE_RANGE"],
        [{ link_id: "a", bank_name: "not-a-bank" }, 400, "INVALID_BANK_NAME"],
        [{ link_id: "a", mode: "carrier-pigeon" }, 400, "MODE_NOT_AVAILABLE"],
        [{ link_id: "a", mode: "aa" }, 403, "MODE_NOT_ENABLED"],
        [{ link_id: "a", mode: "online" }, 400, "MISSING_BANK_NAME"],
        [{ link_id: "a", session_expiry: 4 }, 400, "INVALID_SESSION_EXPIRY"],
        [{ link_id: "a", session_expiry: 43_201 }, 400, "INVALID_SESSION_EXPIRY"],
        [{ link_id: "a", session_expiry: 7.5 }, 400, "INVALID_SESSION_EXPIRY"],
        [{ link_id: "a", redirect_url: "not a url" }, 400, "INVALID_URL"],
        [{ link_id: "a", redirect_url: "javascript:alert(1)" }, 400, "INVALID_URL"],
        [{ link_id: "a", journey_mode: "solo" }, 400, "INVALID_REQUEST"],
        [{ link_id: "a", mobile_number: "12345" }, 400, "INVALID_MOBILE_NUMBER"]
      ]
      for (const [body, status, expected] of cases) {
        const answer = yield* create(sim, body)
        expect([body, ...code(answer)]).toEqual([body, status, expected])
        expect(typeof answer.json.error.message).toBe("string")
      }
      expect((yield* sim.sessions).length).toBe(0)
      // and the valid forms of each
      const ok = yield* create(sim, {
        link_id: "a",
        from_date: "01/01/2025",
        to_date: "31/03/2025",
        bank_name: "axis",
        mode: "online",
        session_expiry: "5",
        redirect_url: "https://lender.example/done",
        journey_mode: "multi_pdf",
        mobile_number: "9876543210",
        metadata: { names: ["ANANDA P"] }
      })
      expect(ok.status).toBe(200)
    }))

  it.scoped("answers 402 PAYMENT_REQUIRED when the account is out of credit (option, setSettings or control)", () =>
    Effect.gen(function*() {
      const broke = yield* Simulator.make({ outOfCredit: true })
      expect(code(yield* create(broke, { link_id: "a" }))).toEqual([402, "PAYMENT_REQUIRED"])
      const sim = yield* Simulator.make()
      expect((yield* create(sim, { link_id: "a" })).status).toBe(200)
      yield* sim.setSettings({ outOfCredit: true })
      expect(code(yield* create(sim, { link_id: "a" }))).toEqual([402, "PAYMENT_REQUIRED"])
      const put = (body: unknown) =>
        request(sim, "PUT", "/__simulator/settings", { headers: {}, body: JSON.stringify(body) })
      expect((yield* put({ outOfCredit: false })).status).toBe(204)
      expect((yield* create(sim, { link_id: "a" })).status).toBe(200)
      expect(code(yield* put({ outOfCredit: "yes" }))).toEqual([400, "BAD_REQUEST"])
      expect(code(yield* put({ credit: false }))).toEqual([400, "BAD_REQUEST"])
      expect(code(yield* put({ enabledModes: ["fax"] }))).toEqual([400, "BAD_REQUEST"])
      expect((yield* put({ enabledModes: ["pdf"] })).status).toBe(204)
      expect(code(yield* create(sim, { link_id: "a", mode: "aa" }))).toEqual([403, "MODE_NOT_ENABLED"])
      const settings = yield* request(sim, "GET", "/__simulator/settings", { headers: {} })
      expect(settings.json).toEqual({ scenario: {}, enabledModes: ["pdf"], outOfCredit: false })
    }))

  it.scoped(
    "keeps API sessions within Limits.maxSessions, answering 400 naming it past that",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        for (let i = 0; i < Limits.maxSessions; i++) yield* sim.createSession({ webhook: { send: false } })
        const refused = yield* create(sim, { link_id: "a" })
        expect(code(refused)).toEqual([400, "BAD_REQUEST"])
        expect(refused.json.error.message).toContain("Limits.maxSessions")
      }),
    60_000
  )
})
