import Logging
import PvdifyDrivers
import PvdifyModel

/// The Cloudflare side of a pass: observe the app's marked records zone by zone, diff them with what
/// its domains want, and act on the difference. A pass that finds everything in place only reads.
extension DNSReconciler {
    /// What a pass found, per domain.
    struct Pass {
        var outcomes: [String: DomainOutcome] = [:]

        /// A verification record was written but not yet read back as wanted: come back soon.
        var unconfirmed: Bool {
            outcomes.values.contains { if case .unconfirmed = $0.verification { true } else { false } }
        }
    }

    /// `hosts` are names the app answers at besides its domains (a preview's URL host): an address
    /// record each, where a zone covers it and there is a target; no verification.
    func converge(_ app: String, domains: [Domain], hosts: [String] = [], _ client: CloudflareClient) async throws -> Pass {
        let zones = try await zoneCache.zones(client, maxAge: zoneMaxAge)
        var pass = Pass()
        var desired: [String: [DesiredRecord]] = [:]
        for host in hosts {
            guard let target, let zone = ZoneMatcher.zone(for: host, in: zones) else { continue }
            pass.outcomes[host] = DomainOutcome(address: .pending, verification: .notAsked)
            desired[zone.id, default: []].append(DesiredRecord.address(of: host, app: app, target: target, proxied: proxied))
        }
        for domain in domains {
            let token = domain.verifyToken
            guard let zone = ZoneMatcher.zone(for: domain.name, in: zones) else {
                pass.outcomes[domain.name] = DomainOutcome(address: .noZone, verification: token.map { .noZone(token: $0) } ?? .notAsked)
                continue
            }
            pass.outcomes[domain.name] = DomainOutcome(
                address: target == nil ? .noTarget : .pending, verification: token.map { .unconfirmed(token: $0) } ?? .notAsked)
            desired[zone.id, default: []] += DesiredRecord.records(for: domain, app: app, target: target, proxied: proxied)
        }
        let known = Set(zones.map(\.id))
        let zoneIDs = Set(desired.keys).union(await ownedZones.zones(of: app)).filter(known.contains)
        // Names any domain of any app wants: owned records there are not orphans, whichever app marked them.
        let claimed = zoneIDs.isEmpty ? [] : Set(try await store.allDomains().flatMap { domain in
            [domain.name] + (domain.verifyToken == nil ? [] : [domain.verifyRecordName])
        })
        var holding: Set<String> = []
        for zoneID in zoneIDs.sorted() {
            let owned = try await client.records(zoneID: zoneID, DNSRecordFilter(commentPrefix: DNSMarker.comment(app: app)))
                .filter { DNSMarker.owner(of: $0.comment) == app }
            let plan = DNSPlanner.plan(desired: desired[zoneID] ?? [], owned: owned, claimed: claimed)
            if try await apply(plan, app: app, zoneID: zoneID, client, into: &pass) { holding.insert(zoneID) }
        }
        await ownedZones.set(app, holding)
        return pass
    }

    /// Carries out one zone's plan; answers whether the zone still holds records of the app.
    func apply(_ plan: DNSPlanner.ZonePlan, app: String, zoneID: String, _ client: CloudflareClient, into pass: inout Pass) async throws -> Bool {
        var holds = !plan.keep.isEmpty
        var written: [(DesiredRecord, DNSRecord)] = []
        for placed in plan.inPlace {
            record(placed.desired, confirmed: placed.record, into: &pass)
            holds = true
        }
        for placed in plan.overwrite {
            let stored = try await client.overwriteRecord(zoneID: zoneID, id: placed.record.id, placed.desired.fields)
            log("restored", app: app, placed.desired.fields, was: placed.record)
            written.append((placed.desired, stored))
            holds = true
        }
        for wanted in plan.missing {
            let sameName = try await client.records(zoneID: zoneID, DNSRecordFilter(name: wanted.fields.name))
            switch DNSPlanner.resolve(wanted, sameName: sameName) {
            case .create:
                let stored = try await client.createRecord(zoneID: zoneID, wanted.fields)
                log("created", app: app, wanted.fields)
                written.append((wanted, stored))
                holds = true
            case .adopt(let marked):
                let stored = try await client.overwriteRecord(zoneID: zoneID, id: marked.id, wanted.fields)
                log("adopted", app: app, wanted.fields, was: marked)
                written.append((wanted, stored))
                holds = true
            case .conflict(let records):
                pass.outcomes[wanted.domain]?.address = .conflict(records)
            case .satisfied(let proof):
                record(wanted, confirmed: proof, into: &pass)
            }
        }
        for orphan in plan.delete {
            do {
                try await client.deleteRecord(zoneID: zoneID, id: orphan.id)
            } catch let error as CloudflareError where error.isNotFound {
                // Already gone: what was wanted.
            }
            log("deleted", app: app, orphan.fields)
        }
        for (wanted, stored) in written {
            guard case .verification = wanted.purpose else {
                record(wanted, confirmed: stored, into: &pass)
                continue
            }
            // Read the proof back through the API before the domain counts as verified.
            let readBack = try await client.record(zoneID: zoneID, id: stored.id)
            if DNSPlanner.matches(readBack, wanted.fields) { record(wanted, confirmed: readBack, into: &pass) }
        }
        return holds
    }

    /// Notes a wanted record as in place.
    func record(_ wanted: DesiredRecord, confirmed: DNSRecord, into pass: inout Pass) {
        switch wanted.purpose {
        case .address: pass.outcomes[wanted.domain]?.address = .inPlace(wanted.fields)
        case .verification(let token): pass.outcomes[wanted.domain]?.verification = .confirmed(token: token)
        }
    }

    func log(_ action: String, app: String, _ fields: DNSRecordFields, was: DNSRecord? = nil) {
        var metadata: Logger.Metadata = ["app": "\(app)", "record": "\(fields.type) \(fields.name) \(fields.content)"]
        if let was { metadata["was"] = "\(was.type) \(was.content) proxied=\(was.fields.proxied) comment=\(was.comment ?? "")" }
        logger.info("dns: record \(action)", metadata: metadata)
    }
}
