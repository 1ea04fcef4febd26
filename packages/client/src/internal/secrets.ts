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
  /**
   * Replaces every occurrence of a credential, or of a run of {@link partialLength} of its
   * characters, raw or encoded, in any case, with `<redacted>`.
   */
  readonly scrub: (text: string) => string
  /**
   * At most `max` characters of `text` for a message: scrubbed whole first, then cut, and a
   * cut that ends in the beginning of a credential loses that part too.
   */
  readonly excerpt: (text: string, max: number) => string
}

/**
 * The shortest run of a credential's characters that counts as a part of it: a server may
 * echo a key masked (`ApiK3y+/AbCd****`) or cut, and a run this long says too much.
 *
 * @internal
 */
export const partialLength = 10

const html = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(
    /'/g,
    "&#39;"
  )

/** ASCII letters to lower case, keeping every index where it was. */
const fold = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase())

/** The ways a credential can be echoed: raw, JSON- and URL-encoded, as HTML, in base64. */
const formsOf = (values: ReadonlyArray<string>): Array<string> => {
  const forms = new Set<string>()
  const add = (form: string) => {
    if (form.length > 0) forms.add(form)
  }
  for (const value of values) {
    const json = JSON.stringify(value).slice(1, -1)
    for (
      const form of [value, json, json.replace(/\//g, "\\/"), encodeURIComponent(value), encodeURI(value), html(value)]
    ) {
      add(form)
    }
    add(Buffer.from(value).toString("base64").replace(/=+$/, ""))
  }
  // HTTP basic authentication puts both in one base64 string
  for (const a of values) {
    for (const b of values) if (a !== b) add(Buffer.from(`${a}:${b}`).toString("base64").replace(/=+$/, ""))
  }
  return [...forms]
}

/**
 * A scrubber for these credentials. Matching ignores the case of ASCII letters, and any run
 * of {@link partialLength} characters of a credential (in any of its forms) counts.
 *
 * @internal
 */
export const make = (secrets: ReadonlyArray<Redacted.Redacted<string>>): Scrubber => {
  const forms = formsOf(secrets.map((secret) => Redacted.value(secret)))
  const longest = forms.reduce((max, form) => Math.max(max, form.length), 0)
  /** Every run of `partialLength` characters of every form (the whole form when shorter), folded. */
  const runs = new Map<number, Set<string>>()
  for (const form of forms) {
    const folded = fold(form)
    const length = Math.min(partialLength, folded.length)
    const set = runs.get(length) ?? new Set<string>()
    for (let i = 0; i + length <= folded.length; i++) set.add(folded.slice(i, i + length))
    runs.set(length, set)
  }

  const scrub = (text: string): string => {
    if (forms.length === 0 || text.length === 0) return text
    const folded = fold(text)
    // mark every character covered by a run, then replace each marked stretch once
    let marked: Uint8Array | undefined
    for (const [length, set] of runs) {
      for (let i = 0; i + length <= folded.length; i++) {
        if (set.has(folded.slice(i, i + length))) {
          marked ??= new Uint8Array(text.length)
          marked.fill(1, i, i + length)
        }
      }
    }
    if (marked === undefined) return text
    let out = ""
    let i = 0
    while (i < text.length) {
      if (marked[i] === 1) {
        while (i < text.length && marked[i] === 1) i++
        out += "<redacted>"
      } else {
        const start = i
        while (i < text.length && marked[i] !== 1) i++
        out += text.slice(start, i)
      }
    }
    return out
  }

  /** `text` less any ending that is the beginning of a credential, in any form. */
  const withoutPartialAtEnd = (text: string): string => {
    const folded = fold(text)
    for (const form of forms) {
      const f = fold(form)
      for (let length = Math.min(f.length - 1, text.length); length > 0; length--) {
        if (folded.endsWith(f.slice(0, length))) return withoutPartialAtEnd(text.slice(0, text.length - length))
      }
    }
    return text
  }

  const excerpt = (text: string, max: number): string => {
    // scrubbing a window a credential's length past the cut finds every credential that
    // reaches into what is kept, whatever the length of the text
    const scrubbed = scrub(text.length > max + longest ? text.slice(0, max + longest) : text)
    if (scrubbed.length <= max && text.length <= max + longest) return scrubbed
    return `${withoutPartialAtEnd(scrubbed.slice(0, max))}…`
  }

  return { scrub, excerpt }
}

/**
 * The names of the headers that carry BankConnect's credentials.
 *
 * @internal
 */
export const secretHeaderNames: ReadonlyArray<string> = ["x-api-key", "server-hash"]
