/// Least-recently-used entries under a byte budget: `get` marks an entry as used, `insert`
/// evicts the least recently used entries until the total cost fits. A plain value type
/// (dictionary plus a doubly linked list threaded through its keys), O(1) per operation;
/// the owner locks it and acts on what it evicted.
struct LRUIndex<Key: Hashable, Value> {
    fileprivate struct Node {
        var value: Value
        var cost: Int
        /// Towards the most recently used end.
        var newer: Key?
        /// Towards the least recently used end.
        var older: Key?
    }

    /// Largest total cost kept.
    let budget: Int
    private(set) var totalCost = 0
    private var nodes: [Key: Node] = [:]
    private var newest: Key?
    private var oldest: Key?

    init(budget: Int) {
        self.budget = max(0, budget)
    }

    var count: Int { nodes.count }
    var isEmpty: Bool { nodes.isEmpty }

    /// The value, marked as most recently used.
    mutating func get(_ key: Key) -> Value? {
        guard let node = nodes[key] else { return nil }
        unlink(key, node)
        linkAsNewest(key)
        return node.value
    }

    /// The value, without marking it used.
    func peek(_ key: Key) -> Value? { nodes[key]?.value }

    /// Keys from least to most recently used.
    var keysOldestFirst: [Key] {
        var keys: [Key] = []
        var cursor = oldest
        while let key = cursor, let node = nodes[key] {
            keys.append(key)
            cursor = node.newer
        }
        return keys
    }

    /// Inserts or replaces `key` as the most recently used entry, then evicts the least recently
    /// used others until the total fits the budget. Returns what left the index, oldest first:
    /// the replaced value, evicted entries, and the new entry itself when its cost alone
    /// exceeds the budget (it is then not kept).
    @discardableResult
    mutating func insert(_ key: Key, value: Value, cost: Int) -> [(key: Key, value: Value)] {
        var removed: [(key: Key, value: Value)] = []
        if let old = remove(key) { removed.append((key, old)) }
        guard cost <= budget else {
            removed.append((key, value))
            return removed
        }
        nodes[key] = Node(value: value, cost: cost, newer: nil, older: nil)
        totalCost += cost
        linkAsNewest(key)
        while totalCost > budget, let victim = oldest, victim != key, let value = remove(victim) {
            removed.append((victim, value))
        }
        return removed
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        guard let node = nodes[key] else { return nil }
        unlink(key, node)
        nodes[key] = nil
        totalCost -= node.cost
        return node.value
    }

    private mutating func unlink(_ key: Key, _ node: Node) {
        if let newer = node.newer { nodes[newer]?.older = node.older } else { newest = node.older }
        if let older = node.older { nodes[older]?.newer = node.newer } else { oldest = node.newer }
        nodes[key]?.newer = nil
        nodes[key]?.older = nil
    }

    private mutating func linkAsNewest(_ key: Key) {
        nodes[key]?.older = newest
        nodes[key]?.newer = nil
        if let newest { nodes[newest]?.newer = key }
        newest = key
        if oldest == nil { oldest = key }
    }
}

extension LRUIndex: Sendable where Key: Sendable, Value: Sendable {}
extension LRUIndex.Node: Sendable where Key: Sendable, Value: Sendable {}
