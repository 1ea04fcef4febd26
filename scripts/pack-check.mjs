// Proves the packages install and run as a user gets them: builds them, packs each with
// `pnpm pack` (which applies `publishConfig`), installs the tarballs with npm into a project
// outside the workspace, and runs there: an ESM script and a CommonJS one with plain `node`
// (the simulator started, `getProgress` and `watchProgress` to completion), an ESM script of
// the tracker (one session tracked to completion on the memory store and on a libsql file),
// and `tsc --noEmit` of a strict TypeScript consumer under `nodenext` and `bundler` resolution.
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
// the cli depends on the tracker: its tarball installs only beside the tracker's
const packages = ["client", "simulator", "tracker", "cli"]
const versions = JSON.parse(Fs.readFileSync(Path.join(root, "packages/client/package.json"), "utf8")).devDependencies
const trackerVersions = JSON.parse(Fs.readFileSync(Path.join(root, "packages/tracker/package.json"), "utf8"))
  .devDependencies
const rootDev = JSON.parse(Fs.readFileSync(Path.join(root, "package.json"), "utf8")).devDependencies

const pnpm = process.env.npm_execpath?.includes("pnpm")
  ? [process.execPath, [process.env.npm_execpath]]
  : ["npx", ["--yes", "pnpm@10.34.9"]]

const run = (command, args, cwd) => {
  const started = Date.now()
  try {
    const out = execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    return { out, millis: Date.now() - started }
  } catch (error) {
    console.error(`pack-check: ${command} ${args.join(" ")} failed in ${cwd}`)
    console.error(error.stdout ?? "", error.stderr ?? "")
    process.exit(1)
  }
}
const step = (name, f) => {
  const started = Date.now()
  const detail = f()
  console.log(`pack-check: ${name} (${Date.now() - started} ms)${detail ? `: ${detail}` : ""}`)
}
const fail = (message) => {
  console.error(`pack-check: ${message}`)
  process.exit(1)
}

const work = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bankconnect-pack-"))
const tarballs = Path.join(work, "tarballs")
const consumer = Path.join(work, "consumer")
Fs.mkdirSync(tarballs)
Fs.mkdirSync(consumer)

step("build", () => void run(pnpm[0], [...pnpm[1], "build"], root))

const packed = {}
step("pack", () => {
  for (const name of packages) {
    run(pnpm[0], [...pnpm[1], "pack", "--pack-destination", tarballs], Path.join(root, "packages", name))
  }
  for (const file of Fs.readdirSync(tarballs)) {
    const name = packages.find((p) => file.startsWith(`effect-bankconnect-${p}-`))
    if (name !== undefined) packed[name] = Path.join(tarballs, file)
  }
  for (const name of packages) {
    if (packed[name] === undefined) fail(`no tarball for ${name}`)
    const files = run("tar", ["-tzf", packed[name]], work).out.split("\n").filter(Boolean)
    const stray = files.filter((f) => /\/(test|build|\.tsbuildinfo)\/|tsconfig|vitest|docgen\.json/.test(f))
    if (stray.length > 0) fail(`${name} ships files a user does not need: ${stray.join(", ")}`)
    for (const needed of ["package/dist/index.js", "package/dist/index.d.ts", "package/LICENSE", "package/README.md"]) {
      if (!files.includes(needed)) fail(`${name} lacks ${needed}`)
    }
  }
  return packages.map((name) => Path.basename(packed[name])).join(", ")
})

Fs.writeFileSync(
  Path.join(consumer, "package.json"),
  JSON.stringify(
    {
      name: "bankconnect-consumer",
      private: true,
      dependencies: {
        "@effect-bankconnect/client": `file:${packed.client}`,
        "@effect-bankconnect/simulator": `file:${packed.simulator}`,
        "@effect-bankconnect/tracker": `file:${packed.tracker}`,
        "@effect-bankconnect/cli": `file:${packed.cli}`,
        "@effect/experimental": trackerVersions["@effect/experimental"],
        "@effect/platform": versions["@effect/platform"],
        "@effect/platform-node": versions["@effect/platform-node"],
        "@effect/sql": trackerVersions["@effect/sql"],
        "@effect/sql-libsql": trackerVersions["@effect/sql-libsql"],
        effect: versions.effect
      },
      devDependencies: { "@types/node": rootDev["@types/node"], typescript: rootDev.typescript }
    },
    null,
    2
  )
)
step("npm install", () => void run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts"], consumer))

step("one copy of effect", () => {
  for (const name of packages) {
    const nested = Path.join(consumer, "node_modules/@effect-bankconnect", name, "node_modules/effect")
    if (Fs.existsSync(nested)) fail(`@effect-bankconnect/${name} brought its own copy of effect`)
  }
})

// the same program twice: as ESM, and through require (Node >= 20.19 loads ESM from require)
const program = (load) =>
  `${load}
const fast = { identity: 20, transaction: 20, processing: 20, fraud: 20 }
const main = Effect.gen(function*() {
  const sim = yield* Simulator.make()
  const { sessionId } = yield* sim.createSession({ stageMillis: fast })
  const layer = BankConnectClient.layer({
    apiKey: Redacted.make(sim.apiKey),
    serverHash: Redacted.make(sim.serverHash),
    baseUrl: sim.baseUrl
  }).pipe(Layer.provide(FetchHttpClient.layer))
  return yield* Effect.gen(function*() {
    const client = yield* BankConnectClient.BankConnectClient
    const first = yield* client.getProgress(sessionId)
    const all = yield* Stream.runCollect(client.watchProgress(sessionId, { interval: "20 millis" }))
    const last = Chunk.unsafeLast(all)
    if (first.session_id !== sessionId || !Progress.isComplete(last)) throw new Error("not completed")
    const internal = yield* Effect.either(Effect.try(() => require.resolve("@effect-bankconnect/client/internal/secrets")))
    if (internal._tag === "Right") throw new Error("an internal module is exported")
    return Progress.summary(last) + " after " + Chunk.size(all) + " snapshots"
  }).pipe(Effect.provide(layer))
}).pipe(Effect.scoped)
Effect.runPromise(main).then((summary) => console.log(summary), (error) => {
  console.error(error)
  process.exit(1)
})
`
Fs.writeFileSync(
  Path.join(consumer, "esm.mjs"),
  program(`import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import { FetchHttpClient } from "@effect/platform"
import { BankConnectClient, Progress } from "@effect-bankconnect/client"
import { Simulator } from "@effect-bankconnect/simulator"
import { createRequire } from "node:module"
const require = createRequire(import.meta.url)`)
)
Fs.writeFileSync(
  Path.join(consumer, "cjs.cjs"),
  program(`const { Chunk, Effect, Layer, Redacted, Stream } = require("effect")
const { FetchHttpClient } = require("@effect/platform")
const { BankConnectClient, Progress } = require("@effect-bankconnect/client")
const { Simulator } = require("@effect-bankconnect/simulator")`)
)
step("ESM with plain node", () => run(process.execPath, ["esm.mjs"], consumer).out.trim())
step("the bankconnect bin", () => {
  const help = run(Path.join(consumer, "node_modules/.bin/bankconnect"), ["--help"], consumer).out
  if (!help.includes("progress")) fail(`bankconnect --help does not list its commands:\n${help}`)
  return run(Path.join(consumer, "node_modules/.bin/bankconnect"), ["--version"], consumer).out.trim()
})
step("CommonJS with plain node (require of ESM)", () => run(process.execPath, ["cjs.cjs"], consumer).out.trim())

// the tracker: one session on the simulator, tracked to completion on each store
Fs.writeFileSync(
  Path.join(consumer, "tracker.mjs"),
  `import { Effect, Layer, Option, Redacted } from "effect"
import { FetchHttpClient } from "@effect/platform"
import { BankConnectClient } from "@effect-bankconnect/client"
import { Simulator } from "@effect-bankconnect/simulator"
import { SqlTrackerStore, Tracker, TrackerStore } from "@effect-bankconnect/tracker"
import { createRequire } from "node:module"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
const require = createRequire(import.meta.url)
const fast = { identity: 20, transaction: 20, processing: 20, fraud: 20 }
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tracker-"))
const database = Path.join(dir, "tracker.db")
const trackOne = (name, store) => Effect.gen(function*() {
  const sim = yield* Simulator.make()
  const { sessionId } = yield* sim.createSession({ stageMillis: fast })
  const client = BankConnectClient.layer({
    apiKey: Redacted.make(sim.apiKey),
    serverHash: Redacted.make(sim.serverHash),
    baseUrl: sim.baseUrl
  }).pipe(Layer.provide(FetchHttpClient.layer))
  const handled = []
  const layer = Tracker.layer({ interval: "50 millis", handler: (event) => Effect.sync(() => handled.push(event._tag)) })
    .pipe(Layer.provide(store), Layer.provide(client))
  return yield* Effect.gen(function*() {
    const tracker = yield* Tracker.Tracker
    yield* tracker.track(sessionId, { reference: "pack-check", deadline: "30 seconds" })
    const completed = yield* tracker.awaitCompletion(sessionId)
    const record = Option.getOrThrow(yield* tracker.get(sessionId))
    if (completed.sessionId !== sessionId || record.state !== "completed" || completed.reference !== "pack-check") {
      throw new Error(name + ": not completed")
    }
    return name + ": " + completed._tag + " via " + completed.via + ", " +
      completed.accounts.map((account) => account.status).join(", ")
  }).pipe(Effect.provide(layer))
}).pipe(Effect.scoped)
const main = Effect.gen(function*() {
  const internal = yield* Effect.either(Effect.try(() => require.resolve("@effect-bankconnect/tracker/internal/tracker")))
  if (internal._tag === "Right") throw new Error("an internal module is exported")
  const memory = yield* trackOne("memory store", TrackerStore.layerMemory)
  const libsql = yield* trackOne("libsql store", SqlTrackerStore.layerLibsql({ url: "file:" + database }))
  if (!Fs.existsSync(database)) throw new Error("no database file")
  return memory + "; " + libsql
}).pipe(Effect.ensuring(Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))))
Effect.runPromise(main).then((summary) => console.log(summary), (error) => {
  console.error(error)
  process.exit(1)
})
`
)
step("the tracker, ESM with plain node", () => run(process.execPath, ["tracker.mjs"], consumer).out.trim())

// a strict TypeScript consumer: the library's types must hold under the user's settings
Fs.writeFileSync(
  Path.join(consumer, "consumer.ts"),
  `import { FetchHttpClient } from "@effect/platform"
import { AsyncClient, BankConnectClient, BankConnectError, Progress, Webhook } from "@effect-bankconnect/client"
import * as Completion from "@effect-bankconnect/client/Completion"
import { Simulator } from "@effect-bankconnect/simulator"
import { SqlTrackerStore, Tracker, type TrackerEvent } from "@effect-bankconnect/tracker"
import { Effect, Layer, Redacted, Stream } from "effect"

export const program = Effect.gen(function*() {
  const sim = yield* Simulator.make({ port: 0 })
  const client = yield* BankConnectClient.BankConnectClient
  const progress: Progress.SessionProgress = yield* client.getProgress("s-1")
  const snapshots = yield* Stream.runCollect(client.watchProgress(progress.session_id))
  const done = yield* Completion.awaitCompletion(progress.session_id)
  return { sim: sim.baseUrl, snapshots, via: done.via }
}).pipe(
  Effect.catchTag("SessionNotFound", (error: BankConnectError.SessionNotFound) => Effect.succeed(error.code)),
  Effect.provide(
    BankConnectClient.layer({ apiKey: Redacted.make("consumer-key"), serverHash: Redacted.make("consumer-hash") })
      .pipe(Layer.provide(FetchHttpClient.layer))
  ),
  Effect.scoped
)
export const handler: (request: Request) => Promise<Response> = Webhook.toWebHandler({ onEvent: () => undefined })
export const asyncClient: AsyncClient.AsyncClient = AsyncClient.make({ apiKey: "consumer-key", serverHash: "consumer-hash" })
export const tracker: Layer.Layer<Tracker.Tracker, unknown, BankConnectClient.BankConnectClient> = Tracker.layer({
  interval: "2 seconds",
  handler: (event: TrackerEvent.TrackerEvent) => event._tag === "Completed" ? Effect.log(event.accounts.length) : Effect.void
}).pipe(Layer.provide(SqlTrackerStore.layerLibsql({ url: "file:tracker.db" })))
`
)
const strict = {
  strict: true,
  noPropertyAccessFromIndexSignature: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  skipLibCheck: false,
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  types: ["node"]
}
for (
  const [name, options] of [["nodenext", { module: "NodeNext", moduleResolution: "NodeNext" }], ["bundler", {
    module: "ESNext",
    moduleResolution: "Bundler"
  }]]
) {
  Fs.writeFileSync(
    Path.join(consumer, `tsconfig.${name}.json`),
    JSON.stringify({ compilerOptions: { ...strict, ...options }, files: ["consumer.ts"] }, null, 2)
  )
  step(
    `tsc --noEmit, strict, moduleResolution ${name}`,
    () => void run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", `tsconfig.${name}.json`], consumer)
  )
}

Fs.rmSync(work, { recursive: true, force: true })
console.log("pack-check: the packed packages install and run outside the workspace")
