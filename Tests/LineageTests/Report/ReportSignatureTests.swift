import Foundation
import Testing
@testable import Lineage

/// Signed reports: verify checks the signature whenever there is one, and `signer` requires a key.
@Suite struct ReportSignatureTests {
    @Test func aSignedReportVerifiesAndTiesItsRootToTheKey() throws {
        let study = try FakeStudy()
        let keyFile = study.folder.path("keys/signing.key")
        let publicKey = try SigningKey.create(keyFile)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "the key file is its owner's only")
        #expect(throws: ReportError.self) { _ = try SigningKey.create(keyFile) }   // never overwritten
        #expect(try SigningKey.publicKey(keyFile) == publicKey)

        let directory = study.folder.path("report")
        let (_, manifest) = try ReportWriter.write(.attribution(study.attribution), responses: study.responses, store: study.store,
                                                   to: directory, signingKey: keyFile)
        #expect(manifest.signature?.publicKey == publicKey && manifest.signature?.isValid(for: manifest.rootHash) == true)
        let verified = try ReportVerifier.verify(reportDirectory: directory, store: study.store, signer: publicKey)
        #expect(verified.intact && verified.signedBy == publicKey, "\(verified.problems)")

        // Another key is not this one; an unsigned report is not signed.
        let other = try SigningKey.create(study.folder.path("keys/other.key"))
        #expect(!(try ReportVerifier.verify(reportDirectory: directory, store: study.store, signer: other)).intact)
        let unsigned = study.folder.path("unsigned")
        try ReportWriter.write(.attribution(study.attribution), responses: study.responses, store: study.store, to: unsigned)
        let result = try ReportVerifier.verify(reportDirectory: unsigned, store: study.store, signer: publicKey)
        #expect(!result.intact && result.problems.contains { $0.contains("not signed") })
    }

    @Test func aSignatureThatDoesNotMatchTheRootFails() throws {
        let study = try FakeStudy()
        let keyFile = study.folder.path("signing.key")
        _ = try SigningKey.create(keyFile)
        let directory = study.folder.path("report")
        let (_, manifest) = try ReportWriter.write(.equality(study.equality), responses: study.responses, store: study.store,
                                                   to: directory, signingKey: keyFile)
        // A result sealed again by a forger keeps the old signature: it signs the old root.
        var forged = study.equality
        forged.pValue = 0.9
        var content = manifest
        content.entries = manifest.entries.filter { $0.kind != .file }
        var sealed = try ReportWriter.seal(.equality(forged), content)
        sealed.manifest.signature = manifest.signature
        for file in sealed.files { try file.data.write(to: URL(fileURLWithPath: directory + "/" + file.name)) }
        try Data(try LineageJSON.string(sealed.manifest).utf8).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
        let result = try ReportVerifier.verify(reportDirectory: directory, store: study.store)
        #expect(!result.intact && result.signedBy == nil)
        #expect(result.problems.contains { $0.contains("not a valid Ed25519 signature") })
        #expect(!ReportSignature(publicKey: manifest.signature!.publicKey, signature: String(repeating: "0", count: 128))
            .isValid(for: manifest.rootHash))
    }
}
