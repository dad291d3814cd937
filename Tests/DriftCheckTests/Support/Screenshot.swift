import Foundation
import Testing

/// A page rendered by headless Chromium, as a browser would show it.
enum Screenshot {
    /// Screenshots the page at `page` (a file, or an http URL) into `png` and returns the PNG's width and how many colours its pixels use
    /// (a blank page has one or two).
    static func take(_ page: String, into png: String, width: Int = 1000) throws -> (width: Int, colours: Int) {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let browser = try #require(chromium, "chromium is needed to render pages (Scripts/test.sh installs it)")
        let shot = try CommandLineTool.run(
            browser,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=\(width),1400",
                "--screenshot=\(png)", page.hasPrefix("http") ? page : "file://\(page)",
            ], timeout: 90)
        #expect(shot.status == 0, "\(shot.stderr)")
        let image = Array(try Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        let colours = try CommandLineTool.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sys, zlib, struct
                data = open(sys.argv[1], 'rb').read()
                pos, chunks = 8, b''
                width = height = 0
                while pos < len(data):
                    length, kind = struct.unpack('>I4s', data[pos:pos+8]); body = data[pos+8:pos+8+length]
                    if kind == b'IHDR': width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
                    if kind == b'IDAT': chunks += body
                    pos += 12 + length
                raw = zlib.decompress(chunks)
                print(width, height, len(set(raw[i:i+3] for i in range(0, min(len(raw), 3_000_000), 3))))
                """, png,
            ])
        let parts = colours.stdout.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try #require(parts.count == 3, "\(colours.stderr)")
        return (parts[0], parts[2])
    }
}
