import Foundation
import LLMCostCore

/// The times `--since` and `--until` accept, resolved to ms since 1970 UTC.
///
/// - relative: `30m`, `24h`, `7d`, `2w` (that long before now), `now`
/// - calendar, in the report's zone: `today`, `yesterday`, `wtd` (since Monday), `mtd`, `ytd`
/// - a date `2026-11-01`: its local midnight; as an end (`--until`) the whole day is included
/// - a date-time `2026-11-01T09:30[:00][Z|+01:00]`: without a zone, local time
public enum TimeExpression {
    public static let accepted =
        "a date (2026-11-01), a date-time (2026-11-01T09:30, 2026-11-01T09:30:00Z), now, today, yesterday, wtd, mtd, ytd, or a span back from now (30m, 24h, 7d, 2w)"

    /// Resolves `text`. `isEnd` makes a bare date include its whole day.
    public static func resolve(_ text: String, now: Date, timeZone: TimeZone, isEnd: Bool = false) -> Int64? {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
        switch lowered {
        case "now": return nowMs
        case "today": return startOfLocalDay(nowMs, offsetDays: isEnd ? 1 : 0, timeZone)
        case "yesterday": return startOfLocalDay(nowMs, offsetDays: isEnd ? 0 : -1, timeZone)
        case "wtd":
            let today = localCivil(nowMs, timeZone)
            let days = Timestamp.daysFromCivil(year: today.year, month: today.month, day: today.day)
            let monday = days - ((days + 3) % 7 + 7) % 7
            return localMidnight(days: monday, timeZone)
        case "mtd":
            let today = localCivil(nowMs, timeZone)
            return localMidnight(days: Timestamp.daysFromCivil(year: today.year, month: today.month, day: 1), timeZone)
        case "ytd":
            let today = localCivil(nowMs, timeZone)
            return localMidnight(days: Timestamp.daysFromCivil(year: today.year, month: 1, day: 1), timeZone)
        default: break
        }
        if let span = spanMilliseconds(lowered) { return nowMs - span }
        if let date = parseDate(lowered) {
            let days = Timestamp.daysFromCivil(year: date.year, month: date.month, day: date.day)
            return localMidnight(days: days + (isEnd ? 1 : 0), timeZone)
        }
        if let absolute = Timestamp.parseMilliseconds(text) { return absolute }
        // A date-time without a zone is local: read it as UTC, then shift by the local offset.
        for suffix in [":00Z", "Z"] {
            if let asUTC = Timestamp.parseMilliseconds(text + suffix) {
                let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(asUTC / 1000)))
                return asUTC - Int64(offset) * 1000
            }
        }
        return nil
    }

    private static func spanMilliseconds(_ text: String) -> Int64? {
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0, amount < 100_000 else { return nil }
        switch unit {
        case "m": return amount * 60_000
        case "h": return amount * 3_600_000
        case "d": return amount * 86_400_000
        case "w": return amount * 7 * 86_400_000
        default: return nil
        }
    }

    private static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1, day <= Timestamp.daysInMonth(year: year, month: month)
        else { return nil }
        return (year, month, day)
    }

    private static func localCivil(_ ms: Int64, _ zone: TimeZone) -> (year: Int, month: Int, day: Int) {
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(ms / 1000))))
        return Timestamp.civilFromDays(Int(floorDiv(ms / 1000 + offset, 86_400)))
    }

    private static func startOfLocalDay(_ ms: Int64, offsetDays: Int, _ zone: TimeZone) -> Int64 {
        let today = localCivil(ms, zone)
        return localMidnight(days: Timestamp.daysFromCivil(year: today.year, month: today.month, day: today.day) + offsetDays, zone)
    }

    /// The UTC instant of local midnight starting day `days` (since 1970-01-01) in `zone`.
    static func localMidnight(days: Int, _ zone: TimeZone) -> Int64 {
        let utcMidnight = Int64(days) * 86_400
        // The offset at local midnight; one refinement handles a DST change on that day.
        var offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utcMidnight))))
        offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utcMidnight - offset))))
        return (utcMidnight - offset) * 1000
    }
}
