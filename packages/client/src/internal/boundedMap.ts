/**
 * A map that keeps its newest `capacity` entries: setting a key makes it the newest, and
 * the oldest is dropped past the capacity. With a `maxWeight`, each entry also weighs what
 * `set` is told (its size in bytes, say), and the oldest are dropped until the total is
 * within it: memory bounded in bytes as well as in entries.
 *
 * @internal
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>()
  /** Each entry's weight, only when there is a weight budget. */
  private readonly weights: Map<K, number> | undefined
  private totalWeight = 0
  /**
   * A live iterator over the keys, oldest first, kept from one eviction to the next: every
   * key before it has been evicted or deleted, so its next key is the oldest. A new
   * iterator from the start would step over every entry deleted since the table was last
   * compacted, thousands at capacity (it made a set cost 10 µs at 10,000 entries).
   */
  private oldest: Iterator<K> | undefined

  constructor(private readonly capacity: number, private readonly maxWeight: number = Infinity) {
    this.weights = Number.isFinite(maxWeight) ? new Map() : undefined
  }

  get size(): number {
    return this.entries.size
  }

  /** The sum of the entries' weights. */
  get weight(): number {
    return this.totalWeight
  }

  get(key: K): V | undefined {
    return this.entries.get(key)
  }

  has(key: K): boolean {
    return this.entries.has(key)
  }

  /**
   * Sets `key` as the newest entry, weighing `weight`; an entry heavier than the whole
   * budget is not kept (and `false` returned).
   */
  set(key: K, value: V, weight = 0): boolean {
    this.delete(key)
    if (this.weights !== undefined) {
      if (weight > this.maxWeight) return false
      this.weights.set(key, weight)
      this.totalWeight += weight
    }
    this.entries.set(key, value)
    while (this.entries.size > this.capacity || this.totalWeight > this.maxWeight) this.evictOldest()
    return true
  }

  private evictOldest(): void {
    let next = this.oldest?.next()
    // an iterator that reached the end stays there, even once keys are added
    if (next === undefined || next.done === true) {
      this.oldest = this.entries.keys()
      next = this.oldest.next()
    }
    if (next.done !== true) this.delete(next.value)
  }

  delete(key: K): void {
    if (!this.entries.delete(key) || this.weights === undefined) return
    this.totalWeight -= this.weights.get(key) ?? 0
    this.weights.delete(key)
  }
}
