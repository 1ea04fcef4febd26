/**
 * The live view on a terminal: the blocks of every watched session, redrawn in place on each
 * change. Lines are cut to the terminal's width (a wrapped line would throw the redraw off),
 * and the cursor is hidden while it runs and shown again however it ends.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Ansi from "../ansi.js"
import type * as Output from "../output.js"

/** The line cut to `width` visible characters, its escape codes kept. */
export const fit = (line: string, width: number): string => {
  let visible = 0
  let out = ""
  for (let i = 0; i < line.length;) {
    Ansi.codeAt.lastIndex = i
    const code = Ansi.codeAt.exec(line)
    if (code !== null) {
      out += code[0]
      i += code[0].length
      continue
    }
    const char = String.fromCodePoint(line.codePointAt(i)!)
    if (visible >= width) {
      i += char.length
      continue
    }
    out += char
    visible++
    i += char.length
  }
  return out
}

/** A view that redraws its lines in place, for the life of the scope. */
export const make = (output: Output.Service): Effect.Effect<
  { readonly draw: (lines: ReadonlyArray<string>) => Effect.Effect<void> },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    let drawn = 0
    yield* Effect.acquireRelease(
      Effect.sync(() => output.unsafeWrite("\x1b[?25l")),
      () => Effect.sync(() => output.unsafeWrite("\x1b[0m\x1b[?25h"))
    )
    const draw = (lines: ReadonlyArray<string>) =>
      Effect.sync(() => {
        const width = Math.max(20, output.columns() - 1)
        const fitted = lines.map((line) => fit(line, width) + "\x1b[0m")
        const up = drawn > 0 ? `\r\x1b[${drawn}A` : ""
        output.unsafeWrite(`${up}\x1b[0J${fitted.join("\n")}\n`)
        drawn = fitted.length
      })
    return { draw }
  })
