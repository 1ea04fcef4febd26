import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

// The command as a person runs it: a real process, real time, Ctrl-C (SIGINT) to stop. Each
// start transpiles the sources with tsx: on a loaded 2-core machine that takes 10 to 15 s.
const packageDir = fileURLToPath(new URL("..", import.meta.url))

const start = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", ...args], {
    cwd: packageDir,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (d: Buffer) => (stdout += d))
  child.stderr.on("data", (d: Buffer) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exited, output: () => ({ stdout, stderr }) }
}

const waitFor = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 900; i++) {
    if (check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const stop = (child: ChildProcess) => child.kill("SIGINT")

describe("pnpm simulator", () => {
  it("prints what a client needs, serves the ready session, and stops cleanly on Ctrl-C", async () => {
    const run = start(["--port", "0"])
    await waitFor(() => run.output().stdout.includes("Ctrl-C stops it."), "the banner")
    const { stdout } = run.output()
    const baseUrl = /base URL:\s+(\S+)/.exec(stdout)?.[1]
    const apiKey = /x-api-key:\s+(\S+)/.exec(stdout)?.[1]
    const serverHash = /server-hash:\s+(\S+)/.exec(stdout)?.[1]
    const ready = /ready session:\s+(\S+)/.exec(stdout)?.[1]
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bank-connect$/)
    expect([apiKey, serverHash]).toEqual(["sim-api-key", "sim-server-hash"])
    const response = await fetch(`${baseUrl}/v1/session_data/${ready}/progress/`, {
      headers: { "x-api-key": apiKey!, "server-hash": serverHash! }
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { session_id: string }).session_id).toBe(ready)
    stop(run.child)
    expect(await run.exited).toBe(0)
    await expect(fetch(`${baseUrl}/v1/session_data/${ready}/progress/`)).rejects.toThrow()
  }, 60_000)

  it("refuses a bad port with the usage, and a port in use with the reason", async () => {
    const bad = start(["--port", "99999"])
    expect(await bad.exited).toBe(2)
    expect(bad.output().stderr).toContain("usage: pnpm simulator [--port N]")

    const first = start(["--port", "0"])
    await waitFor(() => first.output().stdout.includes("Ctrl-C stops it."), "the first simulator")
    const port = /127\.0\.0\.1:(\d+)/.exec(first.output().stdout)?.[1]
    const second = start(["--port", String(port)])
    expect(await second.exited).toBe(1)
    expect(second.output().stderr).toContain("The simulator could not start")
    stop(first.child)
    expect(await first.exited).toBe(0)
  }, 60_000)
})
