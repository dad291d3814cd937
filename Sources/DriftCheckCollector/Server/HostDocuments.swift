import DriftCheck

/// The JSON documents about enrolled hosts: the list (`GET /api/hosts`) and one host with its kept reports and the
/// history of every change they name (`GET /api/hosts/NAME`).
enum HostDocuments {
    static func list(_ hosts: [EnrolledHost]) -> Answer {
        var json = JSONBuilder()
        json.openObject()
        json.key("hosts")
        json.openArray()
        for host in hosts { describe(host, into: &json) }
        json.closeArray()
        json.closeObject()
        return Answer(status: 200, body: json.bytes, contentType: "application/json")
    }

    private static func describe(_ host: EnrolledHost, into json: inout JSONBuilder) {
        json.openObject()
        json.field("name", host.name)
        json.field("key_id", host.keyID)
        json.field("enrolled", UTCTime.format(host.enrolled))
        json.field("newest_report", host.newest > 0 ? UTCTime.format(host.newest) : nil)
        json.closeObject()
    }

    static func host(_ host: EnrolledHost, reports: [ReportSummary], view: FleetView) -> Answer {
        var json = JSONBuilder()
        json.openObject()
        json.key("host")
        describe(host, into: &json)
        if let state = view.hosts.first(where: { $0.name == host.name }) {
            json.field("state", state.state.rawValue)
            json.field("image", state.image)
            json.field("drifted_since", state.driftedSince)
            json.field("action", state.action.rawValue)
            json.key("problems")
            json.stringArray(state.problems)
            json.key("history")
            FleetJSONRenderer.history(state.history, into: &json)
        }
        json.key("reports")
        json.openArray()
        for report in reports {
            json.openObject()
            json.field("id", report.id)
            json.field("generated", UTCTime.format(report.generated))
            json.field("received", UTCTime.format(report.received))
            json.field("bytes", report.size)
            json.field("url", "/api/hosts/\(host.name)/reports/\(report.id)")
            json.closeObject()
        }
        json.closeArray()
        json.closeObject()
        return Answer(status: 200, body: json.bytes, contentType: "application/json")
    }
}
