import Glibc

// Built with `-D FUZZING -sanitize=fuzzer,address` (Scripts/fuzz.sh), libFuzzer supplies `main` and calls the entry
// point below; DRIFTCHECK_FUZZ_TARGET names the target. Built normally, this is a replay tool:
// `DriftCheckFuzz TARGET FILE…` runs each file through the target once, which is how the tests replay the corpus
// of past crashes.

#if FUZZING
    import CLibFuzzer

    nonisolated(unsafe) private var fuzzer: Fuzzer? = nil

    /// The executable's entry point under the name SwiftPM links as `main`: hands control to libFuzzer.
    @_cdecl("DriftCheckFuzz_main")
    func fuzzingMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        if fuzzer == nil {
            let name = getenv("DRIFTCHECK_FUZZ_TARGET").map { String(cString: $0) } ?? ""
            guard let target = FuzzTarget(rawValue: name) else {
                say(
                    "set DRIFTCHECK_FUZZ_TARGET to one of: "
                        + "\(FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))"
                )
                exit(2)
            }
            fuzzer = Fuzzer(target: target)
        }
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        fuzzer!.run(bytes)
        return 0
    }
#elseif DEBUG
    @main
    enum Replay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                say(
                    "usage: DriftCheckFuzz TARGET FILE…  (targets: "
                        + "\(FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")))"
                )
                exit(2)
            }
            let fuzzer = Fuzzer(target: target)
            for path in arguments.dropFirst() {
                guard let file = fopen(path, "rb") else {
                    say("\(path): cannot open\n")
                    exit(2)
                }
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = fread(&buffer, 1, buffer.count, file)
                    if count <= 0 { break }
                    bytes += buffer[0..<count]
                }
                fclose(file)
                fuzzer.run(bytes)
            }
            FuzzRoot.removeChildren(of: fuzzer.root.path)
            rmdir(fuzzer.root.path)
        }
    }
#else
    // A release build (`swift build -c release` builds every product) has no access to the internals.
    @main
    enum Replay {
        static func main() {
            _ = "DriftCheckFuzz works in debug builds only\n".withCString { write(2, $0, strlen($0)) }
            exit(2)
        }
    }
#endif
