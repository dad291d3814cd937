import DriftCheck
import Glibc
import Synchronization

/// A one-line progress display on standard error for scans that last more than a moment: entries, bytes hashed,
/// the rate and the directory being walked, redrawn twice a second in place. Started only when standard error is a
/// terminal, so cron mail and pipes never see it; the line is erased when the scan ends.
final class ProgressDisplay: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let thread: Mutex<JoinableThread?> = Mutex(nil)

    /// Starts the display for `progress` after `delay` seconds.
    init(_ progress: ScanProgress, delay: Double = 2, columns: Int = ProgressDisplay.terminalColumns) {
        let worker = JoinableThread { [self] in
            var shown = false
            var elapsed = 0.0
            while !self.stopped.load(ordering: .relaxed) {
                usleep(100_000)
                elapsed += 0.1
                guard elapsed >= delay, Int(elapsed * 10) % 5 == 0 else { continue }
                Self.write("\r\u{1B}[K" + Self.line(progress, seconds: elapsed, columns: columns))
                shown = true
            }
            if shown { Self.write("\r\u{1B}[K") }
        }
        thread.withLock { $0 = worker }
    }

    /// Stops and erases the display.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        let worker = thread.withLock { current -> JoinableThread? in
            defer { current = nil }
            return current
        }
        worker?.join()
    }

    /// The width of the terminal on standard error ($COLUMNS, else 80).
    static var terminalColumns: Int {
        if let text = getenv("COLUMNS"), let value = Int(String(cString: text)), value >= 40 { return value }
        return 80
    }

    /// "scanning: 123,456 entries, 4.2 GB hashed, 1.1 GB/s  /usr/lib/x86_64-linux-gnu", cut to fit.
    static func line(_ progress: ScanProgress, seconds: Double, columns: Int) -> String {
        let bytes = progress.bytes
        let rate = Int64(Double(bytes) / seconds)
        let counts =
            "scanning: \(grouped(progress.entries)) entries, \(decimal(bytes)) hashed, \(decimal(rate))/s  "
        let room = max(10, columns - 1 - counts.count)
        var directory = TerminalText.escape(progress.currentDirectory)
        if directory.count > room { directory = "…" + directory.suffix(room - 1) }
        return counts + directory
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var output = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { output += "," }
            output.append(digit)
        }
        return output
    }

    /// A byte count for people: "512 B", "3.4 MB", "5.2 GB" (decimal units); also the scan's summary line.
    static func decimal(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\(Double(Int(value * 10)) / 10) \(units[unit])"
    }

    private static func write(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in _ = Glibc.write(2, raw.baseAddress, raw.count) }
    }
}
