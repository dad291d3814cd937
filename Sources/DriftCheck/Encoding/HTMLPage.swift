/// What driftcheck's self-contained pages (the host report, the fleet view) share: the document around a body,
/// and the legend that names every colour a page uses.
package enum HTMLPage {
    /// A colour a page uses, and what it means.
    package typealias Swatch = (name: String, colour: String, meaning: String)

    /// The whole page: `title` and `style` are the page's own (already escaped), `body` its markup.
    /// `refreshSeconds`: the page reloads itself that often (the collector's live page).
    static func document(title: String, style: String, body: String, refreshSeconds: Int? = nil) -> [UInt8] {
        let refresh = refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? ""
        let page =
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\(refresh)<title>\(title)</title>"
            + "<style>\(style)</style></head><body>\(body)</body></html>\n"
        return Array(page.utf8)
    }

    /// The legend's list: a swatch, the name and the meaning of each colour.
    static func legendList(_ palette: [Swatch]) -> String {
        var html = "<ul>"
        for entry in palette {
            html += "<li><span class=\"swatch\" style=\"background:\(entry.colour)\"></span><b>\(entry.name)</b>: "
            html += "\(MarkupText.escape(entry.meaning))</li>"
        }
        return html + "</ul>"
    }
}
