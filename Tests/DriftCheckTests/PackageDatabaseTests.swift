import Foundation
import Testing

@testable import DriftCheck

@Suite("Package databases")
struct PackageDatabaseTests {
    @Test("this machine's real dpkg status file parses into every package with version, arch and conffiles")
    func realDpkgStatus() throws {
        let packages = DpkgStatusParser.parse(try FixtureFiles.bytes("dpkg/status"))
        let raw = String(decoding: try FixtureFiles.bytes("dpkg/status"), as: UTF8.self)
        let paragraphs = raw.components(separatedBy: "\n").filter { $0.hasPrefix("Package: ") }.count
        #expect(packages.count == paragraphs)
        #expect(packages.count == 720)
        let bash = try #require(packages.first { $0.name == "bash" })
        #expect(bash.version == "5.2.15-2+b8")
        #expect(bash.architecture == "amd64")
        #expect(bash.status == "install ok installed")
        #expect(bash.qualifiedName == "bash")
        let ssh = try #require(packages.first { $0.name == "openssh-client" })
        #expect(ssh.conffiles == ["/etc/ssh/ssh_config"])
        #expect(packages.filter { $0.multiArch == "same" }.allSatisfy { $0.qualifiedName.contains(":") })
        #expect(packages.filter { !$0.conffiles.isEmpty }.count == 71)
    }

    @Test("dpkg paragraphs with other statuses, continuation lines and CRLF are handled")
    func dpkgStatusVariants() {
        let text = """
            Package: removed-but-configured
            Status: deinstall ok config-files
            Architecture: amd64
            Version: 1:2.0-1
            Conffiles:
             /etc/removed.conf 0123456789abcdef0123456789abcdef
             /etc/old.conf 0123456789abcdef0123456789abcdef obsolete
            Description: a package
             with a long description
             .
             over several lines

            Package: libfoo1
            Status: hold ok half-installed\r
            Multi-Arch: same
            Architecture: i386
            Version: 0.1~beta

            Status: install ok installed
            Version: 1.0

            """
        let packages = DpkgStatusParser.parse(Array(text.utf8))
        #expect(packages.map(\.qualifiedName) == ["removed-but-configured", "libfoo1:i386"])
        #expect(packages[0].state == "config-files")
        #expect(packages[0].conffiles == ["/etc/removed.conf", "/etc/old.conf"])
        #expect(packages[1].status == "hold ok half-installed")
        #expect(packages[1].version == "0.1~beta")
    }

    @Test("the rpmdb.sqlite made by rpm 4.18 parses to what rpm -qa printed for it")
    func realRpmDatabase() throws {
        let packages = RpmCollector.packages(fromDatabase: try FixtureFiles.bytes("rpm/rpmdb.sqlite"))
        let expected = String(decoding: try FixtureFiles.bytes("rpm/rpm-qa.txt"), as: UTF8.self)
            .split(separator: "\n").map { line -> String in
                line.replacingOccurrences(of: "(none):", with: "")
            }
        let parsed = packages.map { "\($0.name) \($0.evr) \($0.architecture)" }.sorted()
        #expect(parsed == expected.sorted())
        let files = String(decoding: try FixtureFiles.bytes("rpm/rpm-files.txt"), as: UTF8.self)
            .split(separator: "\n").map { line in
                let parts = line.split(separator: " ")
                return "\(parts[0]) \(parts.count > 1 && parts[1].contains("c"))"
            }
        let parsedFiles = packages.flatMap { $0.files.map { "\($0.path) \($0.config)" } }.sorted()
        #expect(parsedFiles == files.sorted())
    }

    @Test("rpm header parsing never traps on damaged blobs")
    func damagedRpmHeaders() throws {
        let database = try #require(SQLiteSnapshot(bytes: try FixtureFiles.bytes("rpm/rpmdb.sqlite")))
        let blob = try #require(database.blobs("SELECT blob FROM Packages")?.first)
        #expect(RpmHeaderParser.parse(blob) != nil)
        for length in stride(from: 0, to: blob.count, by: 7) { _ = RpmHeaderParser.parse(Array(blob[0..<length])) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var damaged = blob
            for _ in 0..<4 {
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(
                    in: 0...255, using: &generator)
            }
            _ = RpmHeaderParser.parse(damaged)
        }
        #expect(SQLiteSnapshot(bytes: Array("not a database".utf8))?.blobs("SELECT blob FROM Packages") == nil)
    }

    @Test("a hostile rpmdb.sqlite whose Packages is an endless recursive view yields nothing, at once")
    func hostileDatabase() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url("rpmdb.sqlite")
        let made = try CommandLineTool.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.execute("CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                           "SELECT zeroblob(16) AS blob FROM c")
                db.commit()
                """, path,
            ])
        #expect(made.status == 0, "\(made.stderr)")
        let started = Date()
        #expect(RpmCollector.packages(fromDatabase: try MappedFile.contents(of: path)).isEmpty)
        #expect(Date().timeIntervalSince(started) < 10)
        // The real fixture still reads: the table check and the work budget do not get in its way.
        #expect(RpmCollector.packages(fromDatabase: try FixtureFiles.bytes("rpm/rpmdb.sqlite")).count == 2)
    }

    @Test("a real Alpine installed database parses into its packages and files")
    func realApkDatabase() throws {
        let packages = ApkInstalledParser.parse(try FixtureFiles.bytes("apk/installed"))
        #expect(
            packages.map(\.name) == [
                "musl", "busybox", "alpine-baselayout", "alpine-keys", "zlib", "libcrypto1.0", "libssl1.0", "apk-tools",
                "scanelf", "musl-utils", "libc-utils",
            ])
        let musl = try #require(packages.first)
        #expect(musl.version == "1.1.14-r10")
        #expect(musl.architecture == "x86_64")
        #expect(musl.files.contains("/lib/ld-musl-x86_64.so.1"))
        #expect(packages.first { $0.name == "busybox" }?.files.contains("/bin/busybox") == true)
    }

    /// (older, newer) pairs: each must order strictly, both ways.
    static let dpkgOrdered: [(String, String)] = [
        ("1.0~rc1", "1.0"), ("1.0~~", "1.0~"), ("1.0", "1.0+1"), ("1.0+1", "1.0.1"), ("2.0", "1:0.1"),
        ("7.2-1", "7.2-1+deb12u1"), ("1.0-1", "1.0-1ubuntu1"), ("1.2.3", "1.2.3a"), ("1.9", "1.10"),
        ("5.2.15-2+b8", "5.2.15-3"), ("0:1.0", "1.1"), ("1.0-0", "1.0-1"),
    ]

    @Test("dpkg version ordering follows deb-version(7): epochs, tildes, letters, revisions")
    func dpkgOrdering() {
        for (older, newer) in Self.dpkgOrdered {
            #expect(PackageVersions.dpkg(older, newer) < 0, "\(older) < \(newer)")
            #expect(PackageVersions.dpkg(newer, older) > 0, "\(newer) > \(older)")
        }
        #expect(PackageVersions.dpkg("1.0", "1.0-0") == 0)
        #expect(PackageVersions.dpkg("0:1.0", "1.0") == 0)
        #expect(PackageVersions.dpkg("1.01", "1.1") == 0)
    }

    static let rpmOrdered: [(String, String)] = [
        ("1.0-1", "2.0-1"), ("2.0-1", "2.0.1-1"), ("2.0.1-1", "2.0.1a-1"), ("5.5p1-1", "5.5p2-1"),
        ("5.5p1-1", "5.5p10-1"),
        ("10xyz-1", "10.1xyz-1"), ("xyz1-1", "xyz10-1"), ("1.0~rc1-1", "1.0-1"), ("1.0~rc1-1", "1.0~rc2-1"),
        ("1.0~rc1~git1-1", "1.0~rc1-1"), ("1.0-1", "1.0^git1-1"), ("1.0^git1-1", "1.0.1-1"), ("2.0-1", "1:1.0-1"),
        ("1a-1", "1.0-1"), ("1.0-1.el9", "1.0-2.el9"), ("0.9~rc1-1.fc40", "0.9-1.fc40"),
    ]

    @Test("rpm version ordering follows rpmvercmp: segments, tildes, carets, epochs")
    func rpmOrdering() {
        for (older, newer) in Self.rpmOrdered {
            #expect(PackageVersions.rpm(older, newer) < 0, "\(older) < \(newer)")
            #expect(PackageVersions.rpm(newer, older) > 0, "\(newer) > \(older)")
        }
        #expect(PackageVersions.rpm("1.0-1", "1.0-1") == 0)
        #expect(PackageVersions.rpm("1.001-1", "1.1-1") == 0)
        #expect(PackageVersions.rpm("0:1.0-1", "1.0-1") == 0)
    }

    static let apkOrdered: [(String, String)] = [
        ("1.2.4-r1", "1.2.4-r2"), ("1.2.4_rc1", "1.2.4"), ("1.2.4_alpha", "1.2.4_beta"), ("1.2.4", "1.2.4a"),
        ("1.2.4", "1.2.4_p1"), ("1.9", "1.10"), ("2.6.7-r0", "2.6.8-r0"), ("1.1.14-r10", "1.1.15-r0"),
    ]

    @Test("apk version ordering: suffixes, letters and -rN revisions")
    func apkOrdering() {
        for (older, newer) in Self.apkOrdered {
            #expect(PackageVersions.apk(older, newer) < 0, "\(older) < \(newer)")
            #expect(PackageVersions.apk(newer, older) > 0, "\(newer) > \(older)")
        }
        #expect(PackageVersions.apk("1.2.4-r2", "1.2.4-r2") == 0)
    }
}
