import Foundation
import Security
import SwiftUI

enum Config {
    static let apiKey = "sk_live_51Hq2kLx"  // arbiter-expect: SWIFT-SECRET-001
    static let databasePassword = "Tr0ub4dor&3"  // arbiter-expect: SWIFT-SECRET-001
    static let clientSecret: String = "c9f1e2aa"  // arbiter-expect: SWIFT-SECRET-001

    // Safe: names of keys and settings, not secrets.
    static let passwordKey = "user_password"
    static let tokenHeaderName = "X-Auth-Token"
    static let apiKeyPlaceholder = "YOUR_API_KEY"
    static let passwordPrompt = "Enter your password"
    static let emptyToken = ""
    static let apiKeyFromEnvironment = ProcessInfo.processInfo.environment["API_KEY"] ?? ""
}

struct LoginService {
    func credential(for user: String) -> URLCredential {
        return URLCredential(user: user, password: "hunter2", persistence: .forSession)  // arbiter-expect: SWIFT-SECRET-001
    }

    func credential(for user: String, password: String) -> URLCredential {
        return URLCredential(user: user, password: password, persistence: .forSession)
    }

    // Vulnerable: secrets in UserDefaults are stored in clear text.
    func remember(password: String, token: String) {
        UserDefaults.standard.set(password, forKey: "password")  // arbiter-expect: SWIFT-STORAGE-001
        let defaults = UserDefaults.standard
        defaults.set(token, forKey: "authToken")  // arbiter-expect: SWIFT-STORAGE-001
    }

    // Safe: non-sensitive settings.
    func rememberPreferences(username: String, deviceToken: Data) {
        let defaults = UserDefaults.standard
        defaults.set(username, forKey: "lastUsername")
        defaults.set(true, forKey: "hasSeenPasswordTips")
        defaults.set(deviceToken, forKey: "deviceToken")
    }

    // Vulnerable: Keychain item readable while the device is locked.
    func storeInKeychainAlways(_ secret: Data) -> OSStatus {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrAccount as String: "session",
            kSecAttrAccessible as String: kSecAttrAccessibleAlways,  // arbiter-expect: SWIFT-STORAGE-002
            kSecValueData as String: secret,
        ]
        return SecItemAdd(query as CFDictionary, nil)
    }

    // Safe: Keychain with a restrictive accessibility class.
    func storeInKeychain(_ secret: Data) -> OSStatus {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrAccount as String: "session",
            kSecAttrAccessible as String: kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
            kSecValueData as String: secret,
        ]
        return SecItemAdd(query as CFDictionary, nil)
    }
}

struct SettingsView: View {
    @AppStorage("authToken") var token: String = ""  // arbiter-expect: SWIFT-STORAGE-001
    @AppStorage("prefersDarkMode") var darkMode = false

    var body: some View {
        Toggle("Dark mode", isOn: $darkMode)
    }
}
