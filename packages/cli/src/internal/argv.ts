/**
 * The command line before `@effect/cli` parses it: `--listen` without a port gets the
 * default one (an option whose value is optional, which `@effect/cli` has no form for), and
 * the secrets given as flags are found, to be scrubbed from all output from the start.
 */
import { defaultWebhookPort } from "./options.js"

/** `--listen` not followed by a port: the default port inserted. */
export const normalize = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i]!)
    if (i >= 2 && argv[i] === "--listen" && !/^\d+$/.test(argv[i + 1] ?? "")) out.push(String(defaultWebhookPort))
  }
  return out
}

const secretFlags = ["--api-key", "--server-hash", "--secret"]

/** The values of `--api-key`, `--server-hash` and `--secret` (either form: `--flag value`, `--flag=value`). */
export const secrets = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!
    if (secretFlags.includes(arg) && argv[i + 1] !== undefined) out.push(argv[i + 1]!)
    for (const flag of secretFlags) if (arg.startsWith(`${flag}=`)) out.push(arg.slice(flag.length + 1))
  }
  return out
}

const nested: Record<string, ReadonlyArray<string>> = {
  webhook: ["set"],
  track: ["add", "list", "remove", "run"]
}

/** The command named on the line (`webhook set`, `track run` for the nested ones), if any. */
export const commandOf = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const words = argv.slice(2).filter((arg) => !arg.startsWith("-"))
  const sub = words[0] === undefined ? undefined : nested[words[0]]
  return sub !== undefined && words[1] !== undefined && sub.includes(words[1]) ? words.slice(0, 2) : words.slice(0, 1)
}
