/// What the collector answers a request: a status and a one-line text (or a document) with its type.
struct Answer: Sendable {
    var status: Int
    var body: [UInt8]
    var contentType = "text/plain; charset=utf-8"
    var headers: [(String, String)] = []

    /// A one-line answer: the status and why.
    static func line(_ status: Int, _ text: String) -> Answer {
        Answer(status: status, body: Array((text + "\n").utf8))
    }
}
