/**
 * The deepest nesting a body may have. Real payloads nest 6 levels at most; a limit keeps
 * hostile input from exhausting the stack in code that walks values recursively (Effect's
 * formatting of a value in a schema error does).
 *
 * @internal
 */
export const maxDepth = 32

/**
 * Whether a parsed JSON value nests objects or arrays more than `max` levels deep,
 * checked without recursion.
 *
 * @internal
 */
export const tooDeep = (value: unknown, max: number = maxDepth): boolean => {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (typeof current !== "object" || current === null) continue
    if (depth >= max) return true
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}
