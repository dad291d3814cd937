import Foundation
import Testing

@testable import DriftCheck

@Suite("Signatures and trust")
struct SignatureTests {
    @Test("keygen writes a 0600 PKCS#8 private key and an SPKI public key, and refuses to overwrite them")
    func keygenFiles() throws {
        let fixture = try Fixture()
        var status = stat()
        stat(fixture.key, &status)
        #expect(status.st_mode & 0o777 == 0o600)
        let privatePEM = try String(contentsOfFile: fixture.key, encoding: .utf8)
        #expect(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let publicPEM = try String(contentsOfFile: fixture.pub, encoding: .utf8)
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let again = try CommandLineTool.driftcheck("keygen", "--out", fixture.directory.url("signing"))
        #expect(again.status == 2)
        #expect(try String(contentsOfFile: fixture.key, encoding: .utf8) == privatePEM)
    }

    @Test("a manifest large enough to be read with its residency trimmed signs and verifies, and openssl agrees")
    func largeManifestWithTrimmedResidency() throws {
        let fixture = try Fixture()
        let path = fixture.directory.url("large.jsonl")
        // 24 MiB of varied bytes: above MappedFile.trimmedResidencySize, so both passes run beside the trimmer.
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 24 << 20)
        for index in stride(from: 0, to: bytes.count, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.replaceSubrange(index..<index + 8, with: $0) }
        }
        #expect(bytes.count >= MappedFile.trimmedResidencySize)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let key = try KeyFiles.loadPrivateKey(fixture.key)
        let descriptor = try SystemCalls.open(path, flags: O_RDONLY | O_CLOEXEC).get()
        try DetachedSignature.sign(descriptor: descriptor, of: path, with: key, mode: 0o640)
        let openssl = try CommandLineTool.shell(
            "openssl pkeyutl -verify -pubin -inkey signing.pub -rawin -in large.jsonl -sigfile large.jsonl.sig",
            in: fixture.directory.path)
        #expect(openssl.status == 0, "\(openssl.stdout) \(openssl.stderr)")
        let verified = try DetachedSignature.verify(path, trustedKeys: [try KeyFiles.loadPublicKey(fixture.pub)])
        #expect(verified.digest == bytes.withUnsafeBytes { SHA256Hasher.digest($0) })
        // One flipped byte in the middle, where the trimmer has long since dropped the first pages.
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: DriftCheckError.self) {
            try DetachedSignature.verify(path, trustedKeys: [try KeyFiles.loadPublicKey(fixture.pub)])
        }
    }

    @Test("openssl pkeyutl verifies a manifest driftcheck signed with an openssl-made key")
    func opensslVerifiesOurSignature() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let directory = fixture.directory.path
        let made = try CommandLineTool.shell(
            "umask 077 && openssl genpkey -algorithm ed25519 -out ossl.key"
                + " && openssl pkey -in ossl.key -pubout -out ossl.pub",
            in: directory)
        #expect(made.status == 0, "\(made.stderr)")
        let scanned = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", directory + "/ossl.key", "--out", directory + "/m.jsonl")
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let sigSize = (try FileManager.default.attributesOfItem(atPath: directory + "/m.jsonl.sig")[.size] as? Int) ?? 0
        #expect(sigSize == 64)
        let verified = try CommandLineTool.shell(
            "openssl pkeyutl -verify -pubin -inkey ossl.pub -rawin -in m.jsonl -sigfile m.jsonl.sig", in: directory)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        #expect(verified.stdout.contains("Signature Verified Successfully"))
    }

    @Test(
        "driftcheck verify accepts a manifest signed by openssl pkeyutl with a driftcheck key, and rejects another key")
    func weVerifyOpensslSignature() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let manifest = try fixture.scan("m.jsonl")
        let directory = fixture.directory.path
        let resigned = try CommandLineTool.shell(
            "openssl pkeyutl -sign -inkey signing.key -rawin -in m.jsonl -out m.jsonl.sig", in: directory)
        #expect(resigned.status == 0, "\(resigned.stderr)")
        #expect(try CommandLineTool.driftcheck("verify", manifest, "--pubkey", fixture.pub).status == 0)
        let other = try CommandLineTool.shell(
            "openssl genpkey -algorithm ed25519 | openssl pkey -pubout -out other.pub", in: directory)
        #expect(other.status == 0)
        let untrusted = try CommandLineTool.driftcheck("verify", manifest, "--pubkey", directory + "/other.pub")
        #expect(untrusted.status == 3)
        #expect(untrusted.stderr.contains("does not verify"))
    }

    @Test("a one-byte tamper of either manifest exits 3 and nothing is compared", arguments: ["baseline", "host"])
    func tamperedManifestIsNeverCompared(_ side: String) throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl")
        let host = try fixture.scan("host.jsonl")
        let victim = side == "baseline" ? baseline : host
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: victim)))
        let target = bytes.count / 2
        bytes[target] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: victim))
        let report = fixture.directory.url("report.json")
        let result = try fixture.compare(baseline, host, ["--out", report, "--format", "json"])
        #expect(result.status == 3)
        #expect(result.stderr.contains(victim))
        #expect(!FileManager.default.fileExists(atPath: report))
        #expect(result.stdout.isEmpty)
    }

    @Test("a missing signature exits 3")
    func missingSignature() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl")
        unlink(baseline + ".sig")
        let result = try fixture.compare(baseline, baseline)
        #expect(result.status == 3)
        #expect(result.stderr.contains("signature missing"))
    }

    @Test("a private key readable by group or others is refused with exit 2 and nothing is written")
    func exposedKeyIsRefused() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        chmod(fixture.key, 0o640)
        let out = fixture.directory.url("never.jsonl")
        let result = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", out)
        #expect(result.status == 2)
        #expect(result.stderr.contains("accessible by group or others"))
        #expect(result.stderr.contains(fixture.key))
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: out + ".sig"))
        let baselined = try CommandLineTool.driftcheck(
            "baseline", "--root", fixture.root, "--image", "x", "--key", fixture.key, "--out", out)
        #expect(baselined.status == 2)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/etc/driftcheck/image-id"))
    }
}

@Suite("Private key hygiene")
struct PrivateKeyHygieneTests {
    @Test("a private key owned by another user is refused like a readable one, and nothing is written")
    func foreignOwner() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        guard geteuid() == 0 else { return }
        #expect(chown(fixture.key, 65534, 65534) == 0)
        let out = fixture.directory.url("m.jsonl")
        let result = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", out, "--quiet")
        #expect(result.status == 2)
        #expect(result.stderr.contains("owned by uid 65534"), "\(result.stderr)")
        #expect(access(out, F_OK) != 0)
    }

    @Test("a process that loaded a private key cannot dump core")
    func noCoreDumps() throws {
        let fixture = try Fixture()
        _ = try KeyFiles.loadPrivateKey(fixture.key)
        var limit = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit) == 0)
        #expect(limit.rlim_cur == 0 && limit.rlim_max == 0)
    }
}
