/// Checks how deeply a JSON document nests, without parsing it, so hostile input is refused before decoding.
public enum JSONDepth {
    /// The deepest nesting of objects and arrays in `bytes`, ignoring brackets inside strings.
    ///
    /// Stops counting once `limit` is exceeded and returns `limit + 1`.
    public static func maximum(in bytes: some Sequence<UInt8>, limit: Int) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > deepest {
                    deepest = depth
                    if deepest > limit { return limit + 1 }
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
        }
        return deepest
    }
}
