import Foundation
import Security
import VideoChatKit

/// Secrets (the TURN credential) in the Keychain as generic passwords of this app, readable
/// after the first unlock and never synced or backed up to another device.
final class KeychainStore: SecretStore {
    private let service: String

    init(service: String = Bundle.main.bundleIdentifier ?? "org.videochat.app") {
        self.service = service
    }

    func secret(forKey key: String) -> String? {
        var query = baseQuery(key)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        guard SecItemCopyMatching(query as CFDictionary, &result) == errSecSuccess,
              let data = result as? Data
        else { return nil }
        return String(data: data, encoding: .utf8)
    }

    func setSecret(_ secret: String?, forKey key: String) {
        let query = baseQuery(key)
        guard let secret, !secret.isEmpty else {
            SecItemDelete(query as CFDictionary)
            return
        }
        let data = Data(secret.utf8)
        let update: [String: Any] = [kSecValueData as String: data]
        if SecItemUpdate(query as CFDictionary, update as CFDictionary) == errSecItemNotFound {
            var item = query
            item[kSecValueData as String] = data
            item[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            SecItemAdd(item as CFDictionary, nil)
        }
    }

    private func baseQuery(_ key: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: key,
        ]
    }
}
