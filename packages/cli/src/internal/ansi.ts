/**
 * ANSI escape codes: how to find them, and text without them.
 */

/** One escape code, at a given position (sticky). */
// eslint-disable-next-line no-control-regex
export const codeAt = /\x1b\[[0-9;?]*[A-Za-z]/y

// eslint-disable-next-line no-control-regex
const codes = /\x1b\[[0-9;?]*[A-Za-z]/g

/** The text without its escape codes. */
export const strip = (text: string): string => text.replace(codes, "")
