import { AsyncSimulator } from "@effect-bankconnect/simulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { credentials, envFor, noStackTrace, outputs, start, waitFor } from "./utils/bin.js"

// The long-running commands: the webhook listener and its forwarding, Ctrl-C on a watch and
// an await, the simulator.

let sim: AsyncSimulator.AsyncSimulator
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  sim = await AsyncSimulator.start()
  env = envFor(sim.baseUrl)
})

afterAll(async () => {
  await sim.close()
})

interface Received {
  readonly path: string
  readonly contentType: string | undefined
  readonly secret: string | undefined
  readonly body: string
}

/** A local app to forward to, answering 202. */
const target = async () => {
  const received: Array<Received> = []
  const server = Http.createServer((req, res) => {
    let body = ""
    req.on("data", (chunk: Buffer) => (body += chunk))
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        contentType: req.headers["content-type"],
        secret: req.headers["x-secret-key"] as string | undefined,
        body
      })
      res.writeHead(202).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return { url: `http://127.0.0.1:${port}/hooks/bankconnect`, received, close: () => server.close() }
}

const enrichment = JSON.stringify({
  event_name: "ENRICHMENT_NOTIFICATION",
  session_id: "s-42",
  insights_available: false,
  accounts: [
    { account_id: "a-1", bank_name: "sbi", account_status: "completed", error_code: "", error_message: "" },
    {
      account_id: "a-2",
      bank_name: "hdfc",
      account_status: "failed",
      error_code: "INCOMPLETE_MONTHS",
      error_message: "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023"
    }
  ]
})

describe("bankconnect listen", () => {
  it("prints each delivery, forwards it as it came with the secret, prints the forward; Ctrl-C stops it", async () => {
    const app = await target()
    const secret = "webhook-secret-0123"
    const listening = start(["listen", "--port", "0", "--secret", secret, "--forward-to", app.url], env)
    await waitFor(() => listening.stdout().includes("Ctrl-C stops it"), "the listener")
    const url = /^listening on (\S+), forwarding to /m.exec(listening.stdout())?.[1]
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/bankconnect$/)

    const post = (headers: Record<string, string>, body: string) =>
      fetch(url!, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })
    expect((await post({ "x-secret-key": secret }, enrichment)).status).toBe(200)
    await waitFor(() => app.received.length === 1 && listening.stdout().includes("--> POST"), "the forward")
    expect(app.received[0]).toEqual({
      path: "/hooks/bankconnect",
      contentType: "application/json",
      secret,
      body: enrichment
    })
    const out = listening.stdout()
    expect(out).toMatch(/\d\d:\d\d:\d\d ENRICHMENT_NOTIFICATION session s-42: 2 accounts, insights available: no\n/)
    expect(out).toContain("account a-1 (sbi): completed\n")
    expect(out).toContain("account a-2 (hdfc): failed INCOMPLETE_MONTHS: no transactions for Nov 2023, Dec 2023\n")
    expect(out).toMatch(new RegExp(`--> POST ${app.url}: 202 \\(\\d+ ms\\)`))

    // a wrong secret is refused, printed, and not forwarded
    expect((await post({ "x-secret-key": "wrong-secret-000" }, enrichment)).status).toBe(401)
    await waitFor(() => listening.stdout().includes("answered 401"), "the refusal")
    expect(listening.stdout()).toContain("refused a delivery, answered 401: the secret header is missing or wrong")
    expect(app.received).toHaveLength(1)

    listening.child.kill("SIGINT")
    expect(await listening.exited).toBe(0)
    expect(listening.stderr()).toBe("")
    expect(listening.stdout()).not.toContain(secret)
    app.close()
  }, 120_000)
})

describe("Ctrl-C", () => {
  it("stops a watch cleanly (exit 0, nothing on stderr) and an await with 130", async () => {
    const session = (await sim.createSession({ stageMillis: { identity: 600_000 } })).sessionId
    const watching = start(["watch", session], env)
    await waitFor(() => watching.stdout().includes("identity:processing"), "the first snapshot")
    watching.child.kill("SIGINT")
    expect(await watching.exited).toBe(0)
    expect(watching.stderr()).toBe("")
    expect(noStackTrace(watching.stdout())).toBe(true)

    const waiting = start(["await", session], env)
    await waitFor(() => waiting.stderr().includes("waiting for session"), "the wait")
    waiting.child.kill("SIGINT")
    expect(await waiting.exited).toBe(130)
    expect(waiting.stderr()).toBe(`waiting for session ${session} (polling every 2s)…\n`)
    expect(waiting.stdout()).toBe("")
  }, 120_000)
})

describe("bankconnect simulate", () => {
  it("runs the simulator with the scenario file's sessions, until Ctrl-C", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bankconnect-cli-"))
    const file = Path.join(dir, "sessions.json")
    Fs.writeFileSync(file, JSON.stringify([{ accounts: [{ statements: 3 }] }, { state: "not_requested" }]))
    const running = start(["simulate", "--port", "0", "--scenario", file, "--json"], envFor(undefined))
    await waitFor(() => running.stdout().includes("\n"), "the simulator")
    const [ready] = running.stdout().trim().split("\n").map((line) => JSON.parse(line))
    expect(ready).toMatchObject({ type: "simulator", api_key: "sim-api-key", server_hash: "sim-server-hash" })
    expect(ready.sessions.map((s: { state: string }) => s.state)).toEqual(["processing", "not_requested"])
    const response = await fetch(`${ready.base_url}/v1/session_data/${ready.sessions[0].session_id}/progress/`, {
      headers: { "x-api-key": ready.api_key, "server-hash": ready.server_hash }
    })
    expect(((await response.json()) as { progress: Array<unknown> }).progress).toHaveLength(3)
    running.child.kill("SIGINT")
    expect(await running.exited).toBe(0)
    expect(running.stderr()).toBe("")
    await expect(fetch(ready.base_url)).rejects.toThrow()
    Fs.rmSync(dir, { recursive: true })
    // the simulator's own credentials are printed by design: leave them out of the check below
    outputs.splice(outputs.length - 2, 2)
  }, 120_000)

  it("no credential in any output of this file's commands", () => {
    for (const output of outputs) {
      expect(output).not.toContain(credentials.apiKey)
      expect(output).not.toContain(credentials.serverHash)
    }
  })
})
