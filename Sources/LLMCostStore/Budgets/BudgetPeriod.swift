import Foundation

/// How long a budget's spend accumulates before it starts again at zero.
public enum BudgetPeriod: String, Sendable, Hashable, CaseIterable {
    case day, week, month
    /// Never resets.
    case total

    /// The calendar period containing `date`, aligned in `timeZone` (weeks start on Monday,
    /// as ISO 8601 has it).
    public func window(containing date: Date, timeZone: TimeZone) -> BudgetWindow {
        if self == .total { return BudgetWindow(start: nil, end: nil) }
        // Windows partition time, so a cached window that contains the date is its window.
        let key = WindowCache.Key(period: self, timeZone: timeZone)
        let milliseconds = Self.milliseconds(date)
        if let cached = WindowCache.shared[key], let start = cached.start, let end = cached.end,
            start <= milliseconds, milliseconds < end
        {
            return cached
        }
        let window = calendarWindow(containing: date, timeZone: timeZone)
        WindowCache.shared[key] = window
        return window
    }

    private func calendarWindow(containing date: Date, timeZone: TimeZone) -> BudgetWindow {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let component: Calendar.Component
        switch self {
        case .total: return BudgetWindow(start: nil, end: nil)
        case .day: component = .day
        case .week: component = .weekOfYear
        case .month: component = .month
        }
        // `dateInterval(of:for:)` only fails for dates far outside any calendar; fall back to an
        // unbounded window rather than guessing.
        guard let interval = calendar.dateInterval(of: component, for: date) else {
            return BudgetWindow(start: nil, end: nil)
        }
        return BudgetWindow(start: Self.milliseconds(interval.start), end: Self.milliseconds(interval.end))
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// A budget period as `[start, end)` in ms since 1970 UTC; `nil` ends are unbounded (`total`).
public struct BudgetWindow: Sendable, Hashable {
    public var start: Int64?
    public var end: Int64?

    public init(start: Int64?, end: Int64?) {
        self.start = start
        self.end = end
    }

    /// The key alert state is stored under: the start, or -1 for an unbounded window.
    public var alertKey: Int64 { start ?? -1 }
}

/// The latest window computed per period and zone: a budget's window changes once a period,
/// and working it out with `Calendar` on every reservation cost more than the reservation's SQL.
private final class WindowCache: @unchecked Sendable {
    struct Key: Hashable {
        var period: BudgetPeriod
        var timeZone: TimeZone
    }

    static let shared = WindowCache()
    private let lock = NSLock()
    private var windows: [Key: BudgetWindow] = [:]

    subscript(key: Key) -> BudgetWindow? {
        get { lock.withLock { windows[key] } }
        set { lock.withLock { windows[key] = newValue } }
    }
}
