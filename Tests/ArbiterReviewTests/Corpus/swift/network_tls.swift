import Foundation
import Alamofire

final class InsecureSessionDelegate: NSObject, URLSessionDelegate {
    // Vulnerable: trusts whatever certificate the server presents.
    func urlSession(_ session: URLSession,
                    didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        guard let trust = challenge.protectionSpace.serverTrust else {
            completionHandler(.performDefaultHandling, nil)
            return
        }
        completionHandler(.useCredential, URLCredential(trust: trust))  // arbiter-expect: SWIFT-TLS-001
    }
}

final class DefaultSessionDelegate: NSObject, URLSessionDelegate {
    // Safe: let the system evaluate the certificate chain.
    func urlSession(_ session: URLSession,
                    didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        completionHandler(.performDefaultHandling, nil)
    }
}

final class UploadClient {
    let session: Session

    init(host: String) {
        let manager = ServerTrustManager(evaluators: [host: DisabledTrustEvaluator()])  // arbiter-expect: SWIFT-TLS-002
        session = Session(serverTrustManager: manager)
    }

    static func pinned(host: String, certificates: [SecCertificate]) -> Session {
        let evaluator = PinnedCertificatesTrustEvaluator(certificates: certificates, acceptSelfSignedCertificates: false)
        return Session(serverTrustManager: ServerTrustManager(evaluators: [host: evaluator]))
    }
}

final class LegacyPolicy {
    func configure(_ policy: AFSecurityPolicy) {
        policy.allowInvalidCertificates = true  // arbiter-expect: SWIFT-TLS-002
        policy.validatesDomainName = false  // arbiter-expect: SWIFT-TLS-002
    }

    func configureStrict(_ policy: AFSecurityPolicy) {
        policy.allowInvalidCertificates = false
        policy.validatesDomainName = true
    }
}

enum TransportSettings {
    static let insecure: [String: Any] = [
        "NSAppTransportSecurity": ["NSAllowsArbitraryLoads": true]  // arbiter-expect: SWIFT-TLS-003
    ]
    static let strict: [String: Any] = [
        "NSAppTransportSecurity": ["NSAllowsArbitraryLoads": false]
    ]
}

struct APIClient {
    let baseURL = URL(string: "https://api.example.com/v2")
    let session = URLSession(configuration: .ephemeral)

    func fetchStatus() async throws -> Data {
        guard let url = baseURL?.appendingPathComponent("status") else { throw URLError(.badURL) }
        let (data, _) = try await session.data(from: url)
        return data
    }
}
