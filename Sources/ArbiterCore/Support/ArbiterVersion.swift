/// The version of this build of Arbiter.
public enum ArbiterVersion {
    /// Semantic version of the `arbiter` binary.
    public static let current = "0.1.0"
    /// Version of the HTTP API (the `/api/v1` prefix).
    public static let api = "v1"
}
