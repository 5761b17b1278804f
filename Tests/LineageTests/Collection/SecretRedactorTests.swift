import Foundation
import Testing
@testable import Lineage

/// A secret in every form a careless server might write it: each encoding is built here by hand,
/// independently of the redactor.
enum SecretForms {
    /// Every character as `\uXXXX` (surrogate pairs outside the BMP), hex in `uppercase` or not.
    static func unicodeEscaped(_ secret: String, uppercase: Bool = false, backslashes: Int = 1) -> String {
        secret.utf16.map { String(repeating: "\\", count: backslashes) + "u" + String(format: uppercase ? "%04X" : "%04x", $0) }.joined()
    }

    /// Every UTF-8 byte as `%XX`.
    static func percentEncoded(_ secret: String) -> String {
        secret.utf8.map { String(format: "%%%02X", $0) }.joined()
    }

    /// What `encodeURIComponent` writes: unreserved characters raw, the rest `%XX`.
    static func urlComponent(_ secret: String) -> String {
        secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret
    }

    static func characterReferences(_ secret: String) -> String {
        secret.unicodeScalars.map { "&#\($0.value);" }.joined()
    }

    /// Every form a test looks for in stored or printed bytes.
    static func all(_ secret: String) -> [String] {
        [secret, unicodeEscaped(secret), unicodeEscaped(secret, uppercase: true), unicodeEscaped(secret, backslashes: 2),
         percentEncoded(secret), urlComponent(secret), characterReferences(secret)]
    }

    /// The forms of `secret` found in `text`.
    static func found(_ secret: String, in text: String) -> [String] {
        all(secret).filter { text.contains($0) }
    }

    static func found(_ secret: String, in data: Data) -> [String] {
        Set(all(secret)).filter { data.range(of: Data($0.utf8)) != nil }.sorted()
    }
}

@Suite struct SecretRedactorTests {
    static let key = "sk-proj-Ab3/9+xZ_q"

    @Test func everyFormAndEveryMixIsRedacted() {
        let redactor = SecretRedactor(secrets: [Self.key])
        for form in SecretForms.all(Self.key) {
            let text = "before \(form) after"
            #expect(redactor.redact(text) == "before [REDACTED] after", "\(form)")
        }
        // Half raw, half escaped; `\/` for the slash; `%25XX` (encoded twice); `+`-free key.
        let mixed = "sk-pr" + SecretForms.unicodeEscaped("oj-A") + "b3\\/9" + SecretForms.percentEncoded("+x") + "%255A_q"
        #expect(redactor.redact("[\(mixed)]") == "[[REDACTED]]")
        // Not the key: one character off, or cut short.
        for near in ["sk-proj-Ab3/9+xZ_Q", "sk-proj-Ab3/9+xZ_", SecretForms.unicodeEscaped("sk-proj-Ab3/9+xZ_")] {
            #expect(redactor.redact(near) == near)
        }
    }

    @Test func aJSONBodyStaysJSONAndItsDecodedTextHoldsNoKey() throws {
        let redactor = SecretRedactor(secrets: [Self.key])
        let body = #"{"error": {"message": "invalid key \#(SecretForms.unicodeEscaped(Self.key)) for \#(SecretForms.urlComponent(Self.key))"}}"#
        let redacted = redactor.redact(body)
        let decoded = try JSONSerialization.jsonObject(with: Data(redacted.utf8)) as? [String: [String: String]]
        #expect(decoded?["error"]?["message"] == "invalid key [REDACTED] for [REDACTED]")
    }

    @Test func shortSecretsAndSecretsBeyondTheBMPAreRedactedToo() {
        let short = SecretRedactor(secrets: ["k9Z"])
        #expect(SecretRedactor.isShort("k9Z") && !SecretRedactor.isShort(Self.key))
        #expect(short.redact("key=k9Z; \\u006b\\u0039\\u005a; %6B%39%5A") == "key=[REDACTED]; [REDACTED]; [REDACTED]")
        let emoji = "tok-🔑-é"
        let wide = SecretRedactor(secrets: [emoji])
        for form in SecretForms.all(emoji) {
            #expect(wide.redact("<\(form)>") == "<[REDACTED]>", "\(form)")
        }
        // A value read with its newline is still found without it; an empty secret redacts nothing.
        #expect(SecretRedactor(secrets: [Self.key + "\n"]).redact("x \(Self.key) y") == "x [REDACTED] y")
        #expect(SecretRedactor(secrets: [""]).redact("anything") == "anything")
    }

    @Test func theProcessHoldsEveryConfiguredKeyAndEveryCredentialLookingVariable() {
        let model = ModelConfiguration(name: "m", backend: .openai, apiKeyVariable: "MY_KEY")
        let held = SecretRedactor.heldSecrets(models: [model], environment: [
            "MY_KEY": "abc", "ANTHROPIC_API_KEY": "sk-ant-0123456789", "GITHUB_TOKEN": "ghp_0123456789", "SHORT_TOKEN": "12",
            "HOME": "/home/someone-long-enough",
        ])
        #expect(Set(held) == ["abc", "sk-ant-0123456789", "ghp_0123456789"])
    }
}
