import Foundation
import WebKit

final class ArticleViewController: UIViewController {
    let webView = WKWebView()

    // Vulnerable: user-controlled text becomes script or markup.
    func highlight(term: String) {
        webView.evaluateJavaScript("highlight('\(term)')", completionHandler: nil)  // arbiter-expect: SWIFT-WEBVIEW-001
    }

    func setTitle(_ title: String) {
        webView.evaluateJavaScript("document.title = '" + title + "'")  // arbiter-expect: SWIFT-WEBVIEW-001
    }

    func showComment(_ comment: String) {
        webView.loadHTMLString("<html><body><p>\(comment)</p></body></html>", baseURL: nil)  // arbiter-expect: SWIFT-WEBVIEW-002
    }

    func enableLocalFiles() {
        webView.configuration.preferences.setValue(true, forKey: "allowFileAccessFromFileURLs")  // arbiter-expect: SWIFT-WEBVIEW-003
    }

    // Safe: data passed as arguments, static HTML, settings left off.
    func highlightSafely(term: String) async throws {
        _ = try await webView.callAsyncJavaScript("highlight(term)", arguments: ["term": term], contentWorld: .page)
    }

    func showStaticPage() {
        webView.loadHTMLString("<html><body><h1>Offline</h1></body></html>", baseURL: nil)
        webView.evaluateJavaScript("window.scrollTo(0, 0)", completionHandler: nil)
        webView.configuration.preferences.setValue(false, forKey: "allowFileAccessFromFileURLs")
    }
}

final class DraftArchive {
    // Vulnerable: unarchives arbitrary classes.
    func loadDraft(from data: Data) -> Any? {
        return NSKeyedUnarchiver.unarchiveObject(with: data)  // arbiter-expect: SWIFT-DESER-001
    }

    func loadLegacy(from data: Data) throws -> Any? {
        let unarchiver = try NSKeyedUnarchiver(forReadingFrom: data)
        unarchiver.requiresSecureCoding = false  // arbiter-expect: SWIFT-DESER-001
        return unarchiver.decodeObject(forKey: NSKeyedArchiveRootObjectKey)
    }

    // Safe: class-restricted secure unarchiving.
    func loadDraftSafely(from data: Data) throws -> NSString? {
        return try NSKeyedUnarchiver.unarchivedObject(ofClass: NSString.self, from: data)
    }
}

final class Diagnostics {
    func log(_ message: String) {
        NSLog(message)  // arbiter-expect: SWIFT-FMT-001
        NSLog("%@", message)
    }

    func render(template: String) -> String {
        return String(format: template)  // arbiter-expect: SWIFT-FMT-001
    }

    func renderCount(_ count: Int) -> String {
        return String(format: "%d items", count)
    }

    func refreshBadge(_ count: Int) {
        DispatchQueue.main.sync {  // arbiter-expect: SWIFT-CONC-001
            UIApplication.shared.applicationIconBadgeNumber = count
        }
    }

    func refreshBadgeAsync(_ count: Int) {
        DispatchQueue.main.async {
            UIApplication.shared.applicationIconBadgeNumber = count
        }
    }

    func exportReport() -> Data {
        fatalError("TODO: export reports")  // arbiter-expect: SWIFT-QUAL-001
    }

    func migrate() {
        fatalError("Not implemented")  // arbiter-expect: SWIFT-QUAL-001
    }

    func unreachable(state: Int) -> Never {
        fatalError("Unexpected state \(state)")
    }
}

final class BadgeCell: UITableViewCell {
    required init?(coder: NSCoder) {
        fatalError("init(coder:) has not been implemented")
    }
}
