/// Token counts without a tokenizer: deliberately high, so a prompt that is estimated to fit does fit.
public enum TokenEstimator {
    /// About one token per 3 bytes of ASCII (common BPE tokenizers average near 4 for code and English) and one per
    /// non-ASCII character.
    public static func estimate(_ text: String) -> Int {
        var ascii = 0
        var other = 0
        for scalar in text.unicodeScalars {
            if scalar.isASCII { ascii += 1 } else { other += 1 }
        }
        return (ascii + 2) / 3 + other
    }
}
