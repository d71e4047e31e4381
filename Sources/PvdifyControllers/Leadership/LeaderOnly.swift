import ServiceLifecycle

/// Runs a service (a reconciler) only once this replica leads: followers serve the API and wait.
public struct LeaderOnly: Service {
    let elector: LeaderElector
    let service: any Service

    public init(_ elector: LeaderElector, _ service: any Service) {
        self.elector = elector
        self.service = service
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !elector.isLeader {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        } catch is CancellationError {
            return  // shut down before leading: nothing ran
        }
        try await service.run()
    }
}
