import type * as LibsqlClient from "@effect/sql-libsql/LibsqlClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { TrackerStoreError } from "../TrackerError.js"

/** @internal */
export interface Options {
  readonly url: string | URL
  readonly authToken?: Redacted.Redacted<string> | undefined
  readonly synchronous?: "full" | "normal" | undefined
}

/** What `@effect/sql-libsql` uses of a `@libsql/client` client and its transactions. */
interface Sdk {
  readonly execute: (statement: { readonly sql: string; readonly args: Array<unknown> }) => Promise<{ rows: unknown }>
  readonly transaction: (mode: "write") => Promise<unknown>
}

/**
 * A local database's client whose transactions stay on its one connection.
 *
 * `@libsql/client`'s local `transaction()` hands its connection to the transaction and
 * opens a new one for the next statement, and nothing closes the old one: through
 * `@effect/sql-libsql`'s `withTransaction` that is two file descriptors leaked per
 * transaction on a `file:` database (4,000 after 2,000 transactions, measured), and on
 * `:memory:` every transaction's data is left behind in a connection no one reads again.
 * Here a transaction is `BEGIN IMMEDIATE` ... `COMMIT` on the same connection;
 * `@effect/sql-libsql` already holds every other statement back while one is open.
 */
const sameConnection = (sdk: Sdk) => ({
  execute: (statement: { readonly sql: string; readonly args: Array<unknown> }) => sdk.execute(statement),
  transaction: async () => {
    await sdk.execute({ sql: "BEGIN IMMEDIATE", args: [] })
    return {
      execute: (statement: { readonly sql: string; readonly args: Array<unknown> }) => sdk.execute(statement),
      commit: async () => {
        await sdk.execute({ sql: "COMMIT", args: [] })
      },
      rollback: async () => {
        await sdk.execute({ sql: "ROLLBACK", args: [] })
      },
      close: () => {}
    }
  }
})

/** A URL as it may appear in a message: without its query (where a token may travel) or credentials. */
const shown = (url: string) => url.replace(/\?.*$/s, "").replace(/\/\/[^/@]*@/, "//")

const isLocal = (url: string) => url.startsWith("file:") || url === ":memory:"

const missing = (cause: unknown) =>
  new TrackerStoreError({
    operation: "open",
    message: "SqlTrackerStore.layerLibsql needs @effect/sql-libsql: install it beside @effect/sql",
    cause
  })

/**
 * A libsql `SqlClient` for the life of the scope; `@effect/sql-libsql` is imported when
 * the layer is built, so the package loads without it.
 *
 * @internal
 */
export const layer = (options: Options): Layer.Layer<SqlClient.SqlClient, TrackerStoreError> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const Libsql: typeof LibsqlClient = yield* Effect.tryPromise({
        try: () => import("@effect/sql-libsql/LibsqlClient"),
        catch: missing
      })
      const url = options.url.toString()
      const opened = yield* Layer.build(
        Libsql.layer({ url, ...(options.authToken === undefined ? {} : { authToken: options.authToken }) })
      ).pipe(
        // @libsql/client throws when it cannot open the database
        Effect.catchAllDefect((cause) =>
          Effect.fail(
            new TrackerStoreError({
              operation: "open",
              message: `Could not open ${shown(url)}: ${cause instanceof Error ? cause.message : String(cause)}`,
              cause
            })
          )
        )
      )
      if (!isLocal(url)) return Context.make(SqlClient.SqlClient, Context.get(opened, SqlClient.SqlClient))
      const sdk = (Context.get(opened, Libsql.LibsqlClient) as unknown as { readonly sdk: Sdk }).sdk
      const live = yield* Layer.build(
        Libsql.layer({
          liveClient: sameConnection(sdk) as unknown as Extract<
            LibsqlClient.LibsqlClientConfig,
            { liveClient: unknown }
          >[
            "liveClient"
          ]
        })
      )
      const sql = Context.get(live, SqlClient.SqlClient)
      const setUp = Effect.gen(function*() {
        if (url !== ":memory:" && url !== "file::memory:") yield* sql`PRAGMA journal_mode = WAL`
        yield* sql.unsafe(`PRAGMA synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`)
        yield* sql`PRAGMA busy_timeout = 5000`
      })
      yield* Effect.mapError(
        setUp,
        (cause) =>
          new TrackerStoreError({ operation: "open", message: `Could not open ${shown(url)}: ${cause.message}`, cause })
      )
      return Context.make(SqlClient.SqlClient, sql)
    }) as Effect.Effect<Context.Context<SqlClient.SqlClient>, TrackerStoreError, Scope.Scope>
  )
