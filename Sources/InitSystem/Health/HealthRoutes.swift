/// Which answer each request gets. Paths first (unknown → 404), then methods (only GET and HEAD → else 405).
enum HealthRoutes {
    static let paths: Set<String> = ["/livez", "/readyz", "/status", "/metrics", "/events"]

    static func respond(to request: HealthRequest, peerIsLoopback: Bool, source: HealthSource) -> HealthResponse {
        var response = route(request, peerIsLoopback: peerIsLoopback, source: source)
        // A HEAD answer never has a body, whatever its status.
        response.omitsBody = request.method == "HEAD"
        return response
    }

    private static func route(_ request: HealthRequest, peerIsLoopback: Bool, source: HealthSource) -> HealthResponse {
        guard paths.contains(request.path) else { return .error(404) }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HealthResponse.error(405)
            response.allowsHeader = true
            return response
        }
        return answer(request.path, peerIsLoopback: peerIsLoopback, source: source)
    }

    private static func answer(_ path: String, peerIsLoopback: Bool, source: HealthSource) -> HealthResponse {
        switch path {
        case "/livez":
            return .json(200, "{\"status\":\"live\"}\n")
        case "/readyz":
            if source.isStopping { return .json(503, "{\"status\":\"stopping\"}\n") }
            return source.isReady ? .json(200, "{\"status\":\"ready\"}\n") : .json(503, "{\"status\":\"not ready\"}\n")
        case "/status":
            // Service names, pids and errors are for the container's own tools, not for the network.
            guard peerIsLoopback else { return .error(403) }
            return .json(200, withFinalNewline(source.statusBody()))
        case "/metrics":
            return HealthResponse(status: 200, contentType: HealthResponse.metricsType, body: source.metricsBody())
        case "/events":
            // Only HEAD reaches here (GET streams, see HealthServer.startStream): the headers, and no stream.
            guard peerIsLoopback else { return .error(403) }
            guard source.eventSnapshot() != nil else { return .error(404) }
            return HealthResponse(status: 200, contentType: HealthResponse.eventStreamType, body: "")
        default:
            return .error(404)
        }
    }

    private static func withFinalNewline(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }
}
