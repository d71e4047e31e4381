import PvdifyDrivers
import PvdifyModel

/// Puts a DNS pass into words: the DNS report of each domain and the app's `DNSReady` condition.
/// Pure, so every message is unit-tested.
public enum DNSReport {
    /// How DNS stands for the whole daemon during this pass.
    public enum Mode: Sendable, Equatable {
        /// No Cloudflare token: DNS is left to the user.
        case unmanaged
        /// Cloudflare refused the token (the summary of its answer).
        case tokenRejected(String)
        /// The pass ran; what it found per domain.
        case managed([String: DomainOutcome])
    }

    /// The app's `DNSReady` condition.
    public struct ConditionValue: Sendable, Equatable {
        /// True when every custom domain's DNS is in place.
        public var ready: Bool
        /// A `ConditionReason` constant.
        public var reason: String
        /// Why not, per domain.
        public var message: String

        /// Makes a condition value.
        public init(ready: Bool, reason: String, message: String) {
            self.ready = ready
            self.reason = reason
            self.message = message
        }
    }

    /// The report of every domain of an app, and its condition.
    public static func make(app: String, domains: [Domain], mode: Mode, target: DNSTarget?) -> (dns: [String: DomainDNS], condition: ConditionValue) {
        var reports: [String: DomainDNS] = [:]
        for domain in domains { reports[domain.name] = report(domain, app: app, mode: mode, target: target) }
        return (reports, condition(domains: domains, reports: reports, mode: mode))
    }

    static func report(_ domain: Domain, app: String, mode: Mode, target: DNSTarget?) -> DomainDNS {
        let name = domain.name
        let pointAt = target.map { "point it at \($0.content) (\($0.type))" } ?? "point it at this server"
        switch mode {
        case .unmanaged:
            return DomainDNS(
                state: .unmanaged,
                message: "DNS is not managed by pvdify (CLOUDFLARE_API_TOKEN is not set): \(pointAt) yourself" + createTXT(domain))
        case .tokenRejected(let why):
            return DomainDNS(
                state: .error,
                message: "Cloudflare rejected CLOUDFLARE_API_TOKEN (\(why)): pvdify changes no DNS record until the token is fixed"
                    + " (it needs Zone Read and DNS Edit)")
        case .managed(let outcomes):
            guard let outcome = outcomes[name] else { return DomainDNS(state: .error, message: "not reconciled yet") }
            let proof = verificationText(outcome.verification, domain: domain)
            switch outcome.address {
            case .pending:
                return DomainDNS(state: .error, message: "the record of \(name) is not in place yet" + proof)
            case .inPlace(let fields):
                let proxy = DNSRecordFields.proxiableTypes.contains(fields.type) ? (fields.proxied ? " (proxied)" : " (DNS only)") : ""
                return DomainDNS(state: .ready, message: "\(fields.type) \(name) → \(fields.content)\(proxy)" + proof)
            case .conflict(let records):
                let held = records.map { "\($0.type) → \($0.content)" }.joined(separator: ", ")
                return DomainDNS(
                    state: .conflict,
                    message: "\(name) already has a record pvdify does not own (\(held)); pvdify changes nothing: remove it in"
                        + " Cloudflare, or set its comment to '\(DNSMarker.comment(app: app))' to hand it to pvdify" + proof)
            case .noZone:
                return DomainDNS(
                    state: .noZone,
                    message: "no zone of this Cloudflare account covers \(name): \(pointAt) at your DNS provider" + createTXT(domain))
            case .noTarget:
                return DomainDNS(state: .error, message: "--dns-target is not set: pvdify has no address to point \(name) at" + proof)
            }
        }
    }

    /// `; ownership verified (TXT ...)` and the like; empty when nobody asked for verification.
    static func verificationText(_ verification: DomainOutcome.Verification, domain: Domain) -> String {
        switch verification {
        case .notAsked: ""
        case .confirmed: "; ownership verified (TXT \(domain.verifyRecordName))"
        case .unconfirmed: "; TXT \(domain.verifyRecordName) written, confirming it"
        case .noZone: createTXT(domain)
        }
    }

    /// What to create by hand for verification, when the domain has a token.
    static func createTXT(_ domain: Domain) -> String {
        guard let token = domain.verifyToken else { return "" }
        return "; to verify ownership, create TXT \(domain.verifyRecordName) with content \(token)"
    }

    static func condition(domains: [Domain], reports: [String: DomainDNS], mode: Mode) -> ConditionValue {
        guard !domains.isEmpty else { return ConditionValue(ready: true, reason: ConditionReason.noCustomDomains, message: "") }
        switch mode {
        case .unmanaged:
            return ConditionValue(
                ready: false, reason: ConditionReason.dnsNotManaged,
                message: "CLOUDFLARE_API_TOKEN is not set: point the custom domains at this server yourself")
        case .tokenRejected(let why):
            return ConditionValue(ready: false, reason: ConditionReason.tokenInvalid, message: "Cloudflare rejected CLOUDFLARE_API_TOKEN (\(why))")
        case .managed(let outcomes):
            // The most pressing problem names the reason; the message lists every domain not ready.
            let ranked: [(String, (DomainOutcome) -> Bool)] = [
                (ConditionReason.recordConflict, { if case .conflict = $0.address { true } else { false } }),
                (ConditionReason.zoneNotFound, { $0.address == .noZone }),
                (ConditionReason.noDNSTarget, { $0.address == .noTarget }),
                (ConditionReason.recordsPending, { $0.address == .pending }),
            ]
            for (reason, test) in ranked where domains.contains(where: { outcomes[$0.name].map(test) ?? false }) {
                let notReady = domains.filter { reports[$0.name]?.state != .ready }
                let message = notReady.map { "\($0.name): \(reports[$0.name]?.state.rawValue ?? "pending")" }.joined(separator: ", ")
                return ConditionValue(ready: false, reason: reason, message: message)
            }
            return ConditionValue(ready: true, reason: ConditionReason.recordsInPlace, message: "")
        }
    }
}
