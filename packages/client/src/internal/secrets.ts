import * as Redacted from "effect/Redacted"

/**
 * The shortest credential accepted: a shorter one would match ordinary text, so scrubbing
 * it would mangle messages, and a part of it would say too much of it.
 *
 * @internal
 */
export const minCredentialLength = 8

/**
 * Why a credential is refused, or `undefined` when it is fine.
 *
 * @internal
 */
export const credentialProblem = (name: string, value: unknown): string | undefined => {
  if (typeof value !== "string" || value === "") return `${name} must be a non-empty string`
  if (value.length < minCredentialLength) {
    return `${name} must be at least ${minCredentialLength} characters long (it has ${value.length}), too short to be kept out of error messages safely`
  }
  if (/[\r\n]/.test(value)) return `${name} must not contain line breaks`
  return undefined
}

/**
 * Removes credentials from text that reaches an error message.
 *
 * @internal
 */
export interface Scrubber {
  /** Replaces every whole occurrence of a credential (raw or JSON-escaped) with `<redacted>`. */
  readonly scrub: (text: string) => string
  /**
   * At most `max` characters of `text` for a message: scrubbed whole first, then cut, and a
   * cut that ends in the beginning of a credential loses that part too.
   */
  readonly excerpt: (text: string, max: number) => string
}

/**
 * A scrubber for these credentials.
 *
 * @internal
 */
export const make = (secrets: ReadonlyArray<Redacted.Redacted<string>>): Scrubber => {
  const forms: Array<string> = []
  for (const secret of secrets) {
    const value = Redacted.value(secret)
    if (value.length === 0) continue
    forms.push(value)
    // as it reads inside a JSON string (a server echoing it in a JSON body we quote)
    const escaped = JSON.stringify(value).slice(1, -1)
    if (escaped !== value) forms.push(escaped)
  }
  // longest first, so that a credential containing another is replaced whole
  forms.sort((a, b) => b.length - a.length)

  const scrub = (text: string): string => {
    let out = text
    for (const form of forms) {
      if (out.includes(form)) out = out.split(form).join("<redacted>")
    }
    return out
  }

  /** `text` less any ending that is the beginning of a credential. */
  const withoutPartialAtEnd = (text: string): string => {
    for (const form of forms) {
      for (let length = Math.min(form.length - 1, text.length); length > 0; length--) {
        if (text.endsWith(form.slice(0, length))) return withoutPartialAtEnd(text.slice(0, text.length - length))
      }
    }
    return text
  }

  const excerpt = (text: string, max: number): string => {
    const scrubbed = scrub(text)
    if (scrubbed.length <= max) return scrubbed
    return `${withoutPartialAtEnd(scrubbed.slice(0, max))}…`
  }

  return { scrub, excerpt }
}

/**
 * Replaces every occurrence of a secret's value in `text`, so that nothing a server
 * echoes back (or a transport error repeats) carries a credential into an error message.
 *
 * @internal
 */
export const scrub = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>>): string =>
  make(secrets).scrub(text)

/**
 * The names of the headers that carry BankConnect's credentials.
 *
 * @internal
 */
export const secretHeaderNames: ReadonlyArray<string> = ["x-api-key", "server-hash"]
