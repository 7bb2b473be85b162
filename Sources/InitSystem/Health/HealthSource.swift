/// What the health server asks the runtime, at the moment a request arrives (on the loop's thread).
public protocol HealthSource: AnyObject {
    /// /readyz answers 200 when true, 503 otherwise.
    var isReady: Bool { get }
    /// Once true, /readyz answers 503 `{"status":"stopping"}` so load balancers drain.
    var isStopping: Bool { get }
    /// JSON text for /status.
    func statusBody() -> String
    /// Prometheus text for /metrics.
    func metricsBody() -> String
    /// The `GET /events` snapshot, one JSON object per service; nil: no event stream here (404).
    func eventSnapshot() -> [String]?
}

extension HealthSource {
    public func eventSnapshot() -> [String]? { nil }
}
