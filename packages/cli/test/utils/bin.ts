import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

// The command as a person or a script runs it: a real process (`node --import tsx src/bin.ts`),
// real time, its own stdout and stderr (no terminal), Ctrl-C (SIGINT) to stop. Each start
// transpiles the sources with tsx: 1 to 3 s, more on a loaded 2-core machine.
const packageDir = fileURLToPath(new URL("../..", import.meta.url))

/** The credentials the tests give through the environment: the simulator's defaults. */
export const credentials = { apiKey: "sim-api-key", serverHash: "sim-server-hash" } as const

/** A running command. */
export interface Running {
  readonly child: ChildProcess
  readonly exited: Promise<number | null>
  readonly stdout: () => string
  readonly stderr: () => string
}

/** Every output of every command run, for the check that no credential was printed. */
export const outputs: Array<string> = []

/** The environment of a command: the base URL, the credentials, nothing inherited that could change it. */
export const envFor = (baseUrl: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "" }
  if (baseUrl !== undefined) {
    env.BANKCONNECT_BASE_URL = baseUrl
    env.BANKCONNECT_API_KEY = credentials.apiKey
    env.BANKCONNECT_SERVER_HASH = credentials.serverHash
  }
  return { ...env, ...extra }
}

/** Starts `bankconnect args...`. */
export const start = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Running => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", ...args], {
    cwd: packageDir,
    env,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d: Buffer) => (stdout += d))
  child.stderr!.on("data", (d: Buffer) => (stderr += d))
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      outputs.push(stdout, stderr)
      resolve(code)
    })
  )
  return { child, exited, stdout: () => stdout, stderr: () => stderr }
}

/** What a finished command gave. */
export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** stdout's lines, each parsed as JSON. */
  readonly json: () => ReadonlyArray<Record<string, any>>
}

/** Runs `bankconnect args...` to its end. */
export const run = async (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Promise<Result> => {
  const running = start(args, env)
  const code = await running.exited
  const stdout = running.stdout()
  return {
    code,
    stdout,
    stderr: running.stderr(),
    json: () => stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line))
  }
}

/** Waits until `check` holds, polling every 50 ms, for at most `seconds`. */
export const waitFor = async (check: () => boolean, what: string, seconds = 45) => {
  for (let i = 0; i < seconds * 20; i++) {
    if (check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** No stack trace, no Effect failure dump. */
export const noStackTrace = (text: string) => !/\n\s+at |FiberFailure|\[\w+\] ERROR/.test(text)
