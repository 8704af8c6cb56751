/// Floor division, so times before 1970 fall in the right hour, day or block.
@inline(__always) public func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor < 0) ? quotient - 1 : quotient
}
