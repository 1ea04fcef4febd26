/**
 * What the heap orders: `key` is the time the node is due (epoch milliseconds); `index`
 * is its place in the heap, `-1` when it is not in it.
 *
 * @internal
 */
export interface Node {
  key: number
  index: number
}

/**
 * A binary min-heap keyed by due time: `push`, `pop`, `remove` and `update` in O(log n),
 * `peek` in O(1). Nodes carry their own index, so removing or moving one needs no search.
 *
 * @internal
 */
export class Heap<A extends Node> {
  private readonly items: Array<A> = []

  get size(): number {
    return this.items.length
  }

  peek(): A | undefined {
    return this.items[0]
  }

  push(node: A, key: number): void {
    node.key = key
    node.index = this.items.length
    this.items.push(node)
    this.up(node.index)
  }

  pop(): A | undefined {
    const items = this.items
    const top = items[0]
    if (top === undefined) return undefined
    const last = items.pop()!
    if (last !== top) {
      items[0] = last
      last.index = 0
      this.down(0)
    }
    top.index = -1
    return top
  }

  remove(node: A): void {
    const index = node.index
    const items = this.items
    if (index < 0 || items[index] !== node) return
    const last = items.pop()!
    node.index = -1
    if (last === node) return
    items[index] = last
    last.index = index
    this.up(index)
    this.down(last.index)
  }

  /** Moves a node to a new key, or pushes it when it is not in the heap. */
  update(node: A, key: number): void {
    if (node.index < 0 || this.items[node.index] !== node) return this.push(node, key)
    const before = node.key
    node.key = key
    if (key < before) this.up(node.index)
    else this.down(node.index)
  }

  private up(index: number): void {
    const items = this.items
    const node = items[index]!
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = items[parentIndex]!
      if (parent.key <= node.key) break
      items[index] = parent
      parent.index = index
      index = parentIndex
    }
    items[index] = node
    node.index = index
  }

  private down(index: number): void {
    const items = this.items
    const length = items.length
    const node = items[index]!
    while (true) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      const child = right < length && items[right]!.key < items[left]!.key ? right : left
      const smallest = items[child]!
      if (smallest.key >= node.key) break
      items[index] = smallest
      smallest.index = index
      index = child
    }
    items[index] = node
    node.index = index
  }
}
