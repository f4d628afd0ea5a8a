import Foundation

struct Uploader {
    let endpoint = URL(string: "http://upload.acme-corp.io/files")  // arbiter-expect: GEN-NET-001
    let secureEndpoint = URL(string: "https://upload.acme-corp.io/files")
    let simulatorEndpoint = URL(string: "http://localhost:5000/files")

    func request(for file: URL, credentials: String) -> URLRequest {
        var request = URLRequest(url: file)
        request.setValue("Basic \(credentials)", forHTTPHeaderField: "Authorization")
        // TODO: retry on timeout
        return request
    }

    func fixedRequest(for file: URL) -> URLRequest {
        var request = URLRequest(url: file)
        // arbiter:ignore GEN-NET-001 device lab proxy only speaks HTTP
        request.url = URL(string: "http://lab-proxy.acme-corp.io/upload")
        return request
    }
}
