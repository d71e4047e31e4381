import PvdifyModel
import Testing
@testable import PvdifyControllers

/// The ownership and prune rules of a sync, as a table.
@Suite struct SourceSyncPlannerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        var desired: [String]
        var existing: [String] = []
        var owners: [String: String] = [:]
        var previews: [String] = []
        var prune = false
        var adopt = false
        var allowMassPrune = false
        var apply: [String] = []
        var conflicts: [String] = []
        var pruned: [String] = []
        var released: [String] = []
        var blocked = false

        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "new apps are created", desired: ["web", "api"], apply: ["api", "web"]),
        Case(label: "owned apps are applied", desired: ["web"], existing: ["web"], owners: ["web": "platform"], apply: ["web"]),
        Case(label: "an unowned app is a conflict", desired: ["web", "api"], existing: ["web"], apply: ["api"], conflicts: ["web"]),
        Case(label: "adopt takes an unowned app", desired: ["web"], existing: ["web"], adopt: true, apply: ["web"]),
        Case(label: "adopt never takes another source's app", desired: ["web"], existing: ["web"], owners: ["web": "other"], adopt: true, conflicts: ["web"]),
        Case(label: "a preview is never taken", desired: ["web-pr-1"], existing: ["web-pr-1"], previews: ["web-pr-1"], adopt: true, conflicts: ["web-pr-1"]),
        Case(label: "without prune, apps that left are let go",
             desired: ["a"], existing: ["a", "b"], owners: ["a": "platform", "b": "platform"], apply: ["a"], released: ["b"]),
        Case(label: "prune deletes half", desired: ["a"], existing: ["a", "b"], owners: ["a": "platform", "b": "platform"], prune: true,
             apply: ["a"], pruned: ["b"]),
        Case(label: "prune of more than half is blocked", desired: ["a"], existing: ["a", "b", "c"],
             owners: ["a": "platform", "b": "platform", "c": "platform"], prune: true, blocked: true),
        Case(label: "prune of everything is blocked", desired: ["x"], existing: ["a"], owners: ["a": "platform"], prune: true, blocked: true),
        Case(label: "an empty repository would prune everything", desired: [], existing: ["a", "b"],
             owners: ["a": "platform", "b": "platform"], prune: true, blocked: true),
        Case(label: "allow_mass_prune lets it through", desired: [], existing: ["a", "b"], owners: ["a": "platform", "b": "platform"],
             prune: true, allowMassPrune: true, pruned: ["a", "b"]),
        Case(label: "another source's apps never count or go", desired: ["a"], existing: ["a", "z"],
             owners: ["a": "platform", "z": "other"], prune: true, apply: ["a"]),
    ]

    @Test(arguments: cases) func plans(_ example: Case) {
        var spec = SourceSpec(url: "file:///r")
        spec.prune = example.prune
        spec.adopt = example.adopt
        spec.allowMassPrune = example.allowMassPrune
        let plan = SourceSyncPlanner.plan(SourceSyncSnapshot(
            source: "platform", spec: spec, desired: example.desired.map { SourceInventoryEntry(app: $0, path: "apps/\($0).yaml") },
            existing: Set(example.existing), previews: Set(example.previews), owners: example.owners))
        #expect((plan.blocked != nil) == example.blocked)
        if example.blocked {
            #expect(plan.apply.isEmpty && plan.prune.isEmpty && plan.release.isEmpty)
            #expect(plan.blocked?.contains("allow_mass_prune") == true)
            return
        }
        #expect(plan.apply == example.apply)
        #expect(plan.conflicts.map(\.app) == example.conflicts)
        #expect(plan.prune == example.pruned)
        #expect(plan.release == example.released)
    }
}
