import { describe, expect, it } from "@effect/vitest"
import { AsyncSimulator } from "../src/index.js"

describe("AsyncSimulator", () => {
  it("starts a simulator, drives it with Promises, and closes it", async () => {
    const sim = await AsyncSimulator.start({ apiKey: "async-key", scenario: { linkId: "ignored" } })
    expect(sim.baseUrl).toBe(`${sim.url}/bank-connect`)
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`)
    expect([sim.apiKey, sim.serverHash]).toEqual(["async-key", "sim-server-hash"])

    const scripted = await sim.createSession({ sessionId: "async-1", state: "not_requested" })
    expect(scripted).toMatchObject({ sessionId: "async-1", state: "not_requested", origin: "script" })
    expect(await sim.session("nope")).toBeUndefined()

    // the settings apply to sessions made over the API
    await sim.setSettings({ enabledModes: ["pdf"] })
    const created = await fetch(`${sim.baseUrl}/v1/session/`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": sim.apiKey },
      body: JSON.stringify({ link_id: "customer-9", mode: "aa" })
    })
    expect(created.status).toBe(403)
    const ok = await fetch(`${sim.baseUrl}/v1/session/`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": sim.apiKey },
      body: JSON.stringify({ link_id: "customer-9" })
    })
    const { session_id } = await ok.json() as { session_id: string }
    expect(await sim.session(session_id)).toMatchObject({ linkId: "customer-9", origin: "api" })
    expect((await sim.sessions()).map((s) => s.sessionId)).toEqual(["async-1", session_id])
    expect((await sim.requests()).map((r) => r.status)).toEqual([403, 200])
    expect(await sim.webhook()).toBeUndefined()
    await sim.clearLogs()
    expect(await sim.requests()).toEqual([])
    await sim.deleteSession("async-1")
    expect((await sim.session("async-1"))?.state).toBe("deleted")

    // errors reject with the same error classes
    await expect(sim.createSession({ accounts: [{ statements: 0 }] })).rejects.toMatchObject({ _tag: "ScenarioError" })
    await expect(sim.setSettings({ enabledModes: ["fax" as never] })).rejects.toMatchObject({ _tag: "ScenarioError" })
    await expect(sim.deleteSession("nope")).rejects.toMatchObject({ _tag: "ScenarioError" })

    expect(typeof sim[Symbol.asyncDispose]).toBe("function")
    await sim.close()
    await sim.close() // twice is fine
    await expect(fetch(`${sim.url}/__simulator/`)).rejects.toThrow()
    await expect(sim.sessions()).rejects.toThrow("closed")
  })

  it("rejects with StartError when the port is taken, and ScenarioError for invalid options", async () => {
    const first = await AsyncSimulator.start()
    await expect(AsyncSimulator.start({ port: first.port })).rejects.toMatchObject({ _tag: "StartError" })
    await expect(AsyncSimulator.start({ faults: { errorRate: 2 } })).rejects.toMatchObject({ _tag: "ScenarioError" })
    await expect(AsyncSimulator.start({ scenario: { uploads: "many" as never } })).rejects.toMatchObject({
      _tag: "ScenarioError"
    })
    await first.close()
  })
})
