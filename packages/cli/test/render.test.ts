import * as Progress from "@effect-bankconnect/client/Progress"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ansi from "../src/internal/ansi.js"
import * as Argv from "../src/internal/argv.js"
import * as ExitCodes from "../src/internal/exitCodes.js"
import * as Options from "../src/internal/options.js"
import * as Output from "../src/internal/output.js"
import * as Block from "../src/internal/render/block.js"
import * as Live from "../src/internal/render/live.js"

// The live view, in process: the child-process tests have no terminal, so what only a
// terminal gets (colors, bars, redraws in place, the width) is checked here.

const snapshot = Effect.runSync(Progress.decode({
  session_id: "0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11",
  session_progress: "processing",
  progress: [
    {
      statement_id: "st-1",
      identity_status: "completed",
      transaction_status: "completed",
      processing_status: "processing",
      source: "pdf"
    },
    {
      statement_id: "st-2",
      identity_status: "completed",
      transaction_status: "completed",
      processing_status: "failed",
      message: "There are no transactions for Nov 2023",
      source: "pdf"
    }
  ]
}))

const fakeTerminal = (columns: number) => {
  const written: Array<string> = []
  const output = Output.make({
    stdout: { write: (text: string) => written.push(text), isTTY: true, columns },
    stderr: { write: (text: string) => written.push(text) },
    env: {}
  })
  return { output, written }
}

describe("live view", () => {
  it("a block: a bar and the four stages per statement, why one failed, in color", () => {
    const view = {
      sessionId: snapshot.session_id,
      progress: snapshot,
      status: undefined,
      error: undefined,
      confirming: true
    }
    const lines = Block.lines(view, { color: true, unicode: true }).map(Ansi.strip)
    expect(lines).toEqual([
      "session 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11  processing  2 statements (1 failed, 1 running)",
      "  st-1  ██████░░░░░░ 2/4  identity ✔ transaction ✔ processing … fraud ·",
      "  st-2  ██████░░░░░░ 2/4  identity ✔ transaction ✔ processing ✘ fraud ·",
      "      processing failed: There are no transactions for Nov 2023"
    ])
    expect(Block.lines(view, { color: true, unicode: true })[3]).toContain("\x1b[31m")
  })

  it("redraws in place, each line cut to the terminal's width, the cursor shown again at the end", () =>
    Effect.gen(function*() {
      const { output, written } = fakeTerminal(40)
      yield* Effect.scoped(Effect.gen(function*() {
        const live = yield* Live.make(output)
        yield* live.draw(["a".repeat(100), "b"])
        yield* live.draw(["c", "d", "e"])
      }))
      const text = written.join("")
      expect(text.startsWith("\x1b[?25l")).toBe(true)
      expect(text).toContain(`${"a".repeat(39)}\x1b[0m\nb`)
      expect(text).not.toContain("a".repeat(40))
      // the second frame moves up over the two lines of the first
      expect(text).toContain("\r\x1b[2A\x1b[0Jc")
      expect(text.endsWith("\x1b[0m\x1b[?25h")).toBe(true)
    }).pipe(Effect.runPromise))

  it("fit keeps escape codes and counts only what is visible", () => {
    expect(Live.fit("\x1b[32m✔✔✔\x1b[0m tail", 2)).toBe("\x1b[32m✔✔\x1b[0m")
  })
})

describe("the command line", () => {
  it("--listen without a port takes the default one", () => {
    expect(Argv.normalize(["node", "bin", "await", "s-1", "--listen"])).toEqual(
      ["node", "bin", "await", "s-1", "--listen", "8080"]
    )
    expect(Argv.normalize(["node", "bin", "await", "--listen", "--json", "s-1"])).toEqual(
      ["node", "bin", "await", "--listen", "8080", "--json", "s-1"]
    )
    expect(Argv.normalize(["node", "bin", "await", "s-1", "--listen", "0"])).toEqual(
      ["node", "bin", "await", "s-1", "--listen", "0"]
    )
  })

  it("durations: 90s, 10m, 1h, 500ms, 2 minutes, a number of seconds; nothing else", () => {
    const millis = (text: string) => Option.map(Options.parseDuration(text), Duration.toMillis)
    expect([millis("90s"), millis("10m"), millis("1h"), millis("500ms"), millis("2 minutes"), millis("3")]).toEqual(
      [90_000, 600_000, 3_600_000, 500, 120_000, 3000].map(Option.some)
    )
    expect([millis("soon"), millis("0s"), millis("-1s"), millis("5 fortnights")]).toEqual(
      [Option.none(), Option.none(), Option.none(), Option.none()]
    )
  })

  it("the secrets given as flags are found, in both forms", () => {
    expect(Argv.secrets(["node", "bin", "progress", "s", "--api-key", "k-123456789", "--server-hash=h-123456789"]))
      .toEqual(["k-123456789", "h-123456789"])
  })

  it("exit codes: several sessions' worst; a signal stops await with 130, the others with 0", () => {
    expect(ExitCodes.combine([0, 3, 0])).toBe(3)
    expect(ExitCodes.combine([3, 1])).toBe(1)
    expect(ExitCodes.combine([1, 2])).toBe(2)
    expect(ExitCodes.onSignal(["await", "s-1"])).toBe(130)
    expect(ExitCodes.onSignal(["watch", "s-1"])).toBe(0)
  })

  it("the scrubber replaces a secret wherever it is written, in its encoded forms too", () =>
    Effect.gen(function*() {
      const { output, written } = fakeTerminal(80)
      yield* output.addSecret("s3cr3t/key+9")
      yield* output.out("a s3cr3t/key+9 b s3cr3t%2Fkey%2B9 c")
      output.unsafeErr("s3cr3t/key+9")
      expect(written).toEqual(["a *** b *** c\n", "***\n"])
    }).pipe(Effect.runPromise))
})
