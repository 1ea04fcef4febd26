/**
 * A command's `--help` text: what it does, then examples.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"

/** A description with examples: each a command line and what it does. */
export const describe = (
  summary: ReadonlyArray<string>,
  examples: ReadonlyArray<readonly [command: string, what: string]>
): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    ...summary.map((paragraph) => HelpDoc.p(paragraph)),
    HelpDoc.p(Span.strong("EXAMPLES")),
    ...examples.map(([command, what]) =>
      HelpDoc.p(Span.spans([Span.text("  # "), Span.text(what), Span.text("\n  $ "), Span.code(command)]))
    )
  ])
