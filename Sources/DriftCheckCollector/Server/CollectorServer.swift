import DriftCheck
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// How the collector serves.
struct CollectorSettings: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    /// Reports kept per host, in the store and in the view.
    var keep = 24
    /// The live page reloads itself this often.
    var refreshSeconds = 60
    /// Connections held at once; more wait in the kernel's backlog.
    var maximumConnections = 2048
    /// Bytes of request bodies held at once.
    var bodyBudget = 160 << 20
    var fleet: FleetSettings
    /// Written with the URL once the server listens (for scripts and tests that start it on port 0).
    var readyFile: String?
}

/// The request context: Hummingbird's core, and the peer's address for incidents.
struct CollectorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peer: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress ?? "an unknown address"
    }
}

/// The collector's HTTP service: pushes and enrollments in, the fleet (page, JSON, metrics) and each host's history
/// out, and health and readiness for load balancers and systemd.
enum CollectorServer {
    static func run(store: any ReportStore, settings: CollectorSettings, logger: Logger) async throws {
        let ledger = FleetLedger(store: store, settings: settings.fleet, reportsPerHost: settings.keep)
        let counters = PushCounters()
        let intake = ReportIntake(store: store, ledger: ledger, counters: counters, keep: settings.keep)
        let enrollment = Enrollment(store: store, ledger: ledger, counters: counters)
        let budget = BodyBudget(bytes: settings.bodyBudget)
        let router = Router(context: CollectorContext.self)

        router.post("/api/v1/reports") { request, context -> Response in
            let declared = request.headers[.contentLength].flatMap { Int($0) }
            if let declared, declared > ReportFile.maximumSize {
                return respond(.line(413, "the report is \(declared) bytes, over the 64 MiB limit"), close: true)
            }
            let charge = declared ?? ReportFile.maximumSize
            guard budget.take(charge) else {
                return respond(.line(503, "busy: too many reports being received; retry later"), close: true)
            }
            defer { budget.giveBack(charge) }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: ReportFile.maximumSize)
            } catch {
                return respond(.line(413, "the report is over the 64 MiB limit"), close: true)
            }
            let answer = await intake.take(
                body: Array(body.readableBytesView), signatureHeader: request.headers[signatureField],
                keyIDHeader: request.headers[keyIDField], peer: context.peer)
            return respond(answer)
        }

        router.post("/api/v1/enroll") { request, context -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Enrollment.maximumBody)
            } catch {
                return respond(.line(413, "an enrollment is at most 64 KiB"), close: true)
            }
            return respond(
                await enrollment.take(
                    body: Array(body.readableBytesView), authorization: request.headers[.authorization],
                    signatureHeader: request.headers[signatureField], peer: context.peer))
        }

        router.get("/healthz") { _, _ -> Response in respond(.line(200, "ok")) }
        router.get("/readyz") { _, _ -> Response in
            do {
                try await store.ping()
            } catch {
                return respond(.line(503, "not ready: \(error)"))
            }
            guard await ledger.isLoaded else {
                // Loading starts at once; a first view forces it.
                Task { try? await ledger.refresh() }
                return respond(.line(503, "not ready: the fleet is still being read from the store"))
            }
            return respond(.line(200, "ready"))
        }

        router.get("/") { _, _ -> Response in
            Response(status: .seeOther, headers: [.location: "fleet"])
        }
        router.get("/fleet") { _, _ -> Response in
            await fleetAnswer(ledger) { view in
                Answer(
                    status: 200, body: FleetHTMLRenderer.render(view, refreshSeconds: settings.refreshSeconds),
                    contentType: "text/html; charset=utf-8")
            }
        }
        router.get("/api/fleet") { _, _ -> Response in
            await fleetAnswer(ledger) { view in
                Answer(status: 200, body: FleetJSONRenderer.render(view), contentType: "application/json")
            }
        }
        router.get("/metrics") { _, _ -> Response in
            let storeUp = (try? await store.ping()) != nil
            // With the store down, the last view: driftcheck_collector_store_up 0 must reach the scraper.
            let view = storeUp ? try? await ledger.view() : await ledger.lastView
            guard let view else { return respond(.line(503, "the store is unavailable and no view was made yet")) }
            return respond(
                Answer(
                    status: 200, body: CollectorMetrics.render(view, counters: counters.snapshot, storeUp: storeUp),
                    contentType: "text/plain; version=0.0.4; charset=utf-8"))
        }
        router.get("/api/hosts") { _, _ -> Response in
            do {
                return respond(HostDocuments.list(try await store.hosts()))
            } catch {
                return respond(.line(503, "\(error)"))
            }
        }
        router.get("/api/hosts/:name") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            do {
                guard let host = try await store.host(name) else {
                    return respond(.line(404, "no enrolled host \(TerminalText.clean(name))"))
                }
                let view = try await ledger.view(historyOf: name)
                return respond(HostDocuments.host(host, reports: try await store.history(of: name), view: view))
            } catch {
                return respond(.line(503, "\(error)"))
            }
        }
        router.get("/api/hosts/:name/reports/:id") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return respond(.line(400, "a report id is a number"))
            }
            do {
                guard let report = try await store.report(id, of: name) else {
                    return respond(.line(404, "no report \(id) of \(TerminalText.clean(name))"))
                }
                // As pushed: the bytes and their signature, for anyone to verify again.
                var answer = Answer(status: 200, body: report.body, contentType: "application/json")
                answer.headers = [("Driftcheck-Signature", Base64.encode(report.signature))]
                return respond(answer)
            } catch {
                return respond(.line(503, "\(error)"))
            }
        }

        var configuration = ApplicationConfiguration(
            address: .hostname(settings.host, port: settings.port), serverName: nil, backlog: 1024,
            reuseAddress: true)
        configuration.availableConnectionsDelegate = MaximumAvailableConnections(settings.maximumConnections)
        let readyFile = settings.readyFile
        let application = Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [RequestDeadline(headers: .seconds(10), body: .seconds(120))],
                    idleTimeout: .seconds(60))),
            configuration: configuration,
            onServerRunning: { channel in
                let address = channel.localAddress
                let host = address?.ipAddress ?? settings.host
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(address?.port ?? settings.port)"
                logger.info("listening on \(url)")
                print("driftcheck-collector: listening on \(url)")
                fflush(nil)
                if let readyFile { try? AtomicOutput.write(Array((url + "\n").utf8), to: readyFile, mode: 0o644) }
                // Read the fleet from the store now, not on the first request.
                Task { try? await ledger.refresh() }
            },
            logger: logger)
        try await application.runService()
    }

    static let signatureField = HTTPField.Name("Driftcheck-Signature")!
    static let keyIDField = HTTPField.Name("Driftcheck-Key-Id")!
    static let collectorField = HTTPField.Name("Driftcheck-Collector")!

    private static func fleetAnswer(_ ledger: FleetLedger, _ render: (FleetView) -> Answer) async -> Response {
        do {
            return respond(render(try await ledger.view()))
        } catch {
            return respond(.line(503, "\(error); retry later"))
        }
    }

    static func respond(_ answer: Answer, close: Bool = false) -> Response {
        // Driftcheck-Collector: hosts tell the collector's refusals from a proxy's by it.
        var headers: HTTPFields = [.contentType: answer.contentType, .cacheControl: "no-store", collectorField: "1"]
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        if close { headers[.connection] = "close" }
        return Response(
            status: .init(code: answer.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
