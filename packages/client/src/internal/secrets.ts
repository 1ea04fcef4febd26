import * as Redacted from "effect/Redacted"

/**
 * Replaces every occurrence of a secret's value in `text`, so that nothing a server
 * echoes back (or a transport error repeats) carries a credential into an error message.
 *
 * @internal
 */
export const scrub = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>>): string => {
  let out = text
  for (const secret of secrets) {
    const value = Redacted.value(secret)
    if (value.length > 0) out = out.split(value).join("<redacted>")
  }
  return out
}

/**
 * The names of the headers that carry BankConnect's credentials.
 *
 * @internal
 */
export const secretHeaderNames: ReadonlyArray<string> = ["x-api-key", "server-hash"]
