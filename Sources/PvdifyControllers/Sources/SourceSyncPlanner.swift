import PvdifyModel

/// Decides what one sync of a source does, from what the repository says and who owns what.
/// Pure, so every ownership and prune rule is checked by table tests.
public enum SourceSyncPlanner {
    public static func plan(_ snapshot: SourceSyncSnapshot) -> SourceSyncPlan {
        var plan = SourceSyncPlan()
        let source = snapshot.source
        for entry in snapshot.desired.sorted(by: { $0.app < $1.app }) {
            let app = entry.app
            guard snapshot.existing.contains(app) else {
                plan.apply.append(app)
                continue
            }
            if snapshot.previews.contains(app) {
                plan.conflicts.append(SourceConflict(app: app, message: "'\(app)' is a preview app; a source cannot manage it"))
            } else if let owner = snapshot.owners[app] {
                if owner == source {
                    plan.apply.append(app)
                } else {
                    plan.conflicts.append(SourceConflict(app: app, message: "app '\(app)' is managed by source '\(owner)'"))
                }
            } else if snapshot.spec.adopt {
                plan.apply.append(app)
            } else {
                plan.conflicts.append(SourceConflict(
                    app: app, message: "app '\(app)' already exists and no source manages it; set adopt: true on source '\(source)' to take it over"))
            }
        }

        let owned = Set(snapshot.owners.filter { $0.value == source }.keys)
        let gone = owned.subtracting(snapshot.desired.map(\.app)).sorted()
        guard !gone.isEmpty else { return plan }
        guard snapshot.spec.prune else {
            plan.release = gone
            return plan
        }
        let massive = gone.count == owned.count || gone.count * 2 > owned.count
        if massive && !snapshot.spec.allowMassPrune {
            let what = gone.count == owned.count ? "every app it manages" : "more than half of the apps it manages"
            return SourceSyncPlan(
                blocked: "this commit would prune \(what) (\(gone.count) of \(owned.count): \(gone.joined(separator: ", "))); "
                    + "nothing was applied. If that is intended, set allow_mass_prune: true on source '\(source)'")
        }
        plan.prune = gone
        return plan
    }
}
