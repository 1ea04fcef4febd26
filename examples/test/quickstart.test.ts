import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"

// Runs the quickstart as the README's first command does: a real process, real time.
const examples = fileURLToPath(new URL("..", import.meta.url))

const run = (env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const base: Record<string, string | undefined> = { ...process.env, CI: "true" }
    for (const name of Object.keys(base)) if (name.startsWith("BANKCONNECT_")) delete base[name]
    execFile(
      process.execPath,
      ["--import", "tsx", "quickstart.ts"],
      { cwd: examples, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

describe("quickstart", () => {
  it("watches the local session to completion and exits 0", async () => {
    const { code, stdout, stderr } = await run({})
    expect(stderr).toBe("")
    expect(code).toBe(0)
    const lines = stdout.split("\n")
    expect(lines[0]).toMatch(/^simulator at http:\/\/127\.0\.0\.1:\d+\/bank-connect, session [0-9a-f-]{36}$/)
    expect(lines).toContain("webhook registered: https://lender.example/webhooks/bankconnect")
    expect(stdout).toMatch(/: processing, 2 statements/)
    expect(stdout).toMatch(/: completed, 2 statements \(2 completed\)\n/)
    expect(lines.filter((l) => l.startsWith("session ")).at(-1)).toContain("completed, 2 statements")
    expect(stdout.trimEnd().endsWith("done: every statement processed")).toBe(true)
  }, 60_000)

  it("against the real API, names the missing credential and exits non-zero", async () => {
    const { code, stdout, stderr } = await run({ BANKCONNECT_SESSION_ID: "some-session" })
    expect(code).not.toBe(0)
    const output = stdout + stderr
    expect(output).toContain("Missing data at BANKCONNECT_API_KEY")
    expect(output).toContain("Missing data at BANKCONNECT_SERVER_HASH")
    expect(output).not.toContain("session some-session")
  }, 60_000)
})
