import PvdifyControllers
import PvdifyDrivers
import Testing

/// The small values of the DNS reconciler: the target, the ownership marker, the zone match.
@Suite struct DNSValuesTests {
    @Test func targetKinds() {
        #expect(DNSTarget("lb.example.net") == DNSTarget("LB.Example.NET."))
        #expect(DNSTarget("lb.example.net")?.type == "CNAME")
        #expect(DNSTarget("lb.example.net")?.content == "lb.example.net")
        #expect(DNSTarget("203.0.113.10")?.type == "A")
        #expect(DNSTarget("2001:db8::1")?.type == "AAAA")
        #expect(DNSTarget("not a host") == nil)
        #expect(DNSTarget("localhost") == nil)
        #expect(DNSTarget("") == nil)
    }

    @Test func marker() {
        #expect(DNSMarker.comment(app: "myapp") == "pvdify:app=myapp")
        #expect(DNSMarker.owner(of: "pvdify:app=myapp") == "myapp")
        #expect(DNSMarker.owner(of: "PVDIFY:app=myapp note added by hand") == "myapp")
        #expect(DNSMarker.owner(of: "pvdify:app=") == nil)
        #expect(DNSMarker.owner(of: "managed by terraform") == nil)
        #expect(DNSMarker.owner(of: nil) == nil)
    }

    @Test func longestZoneSuffixWins() {
        let zones = [
            CloudflareZone(id: "1", name: "example.com"), CloudflareZone(id: "2", name: "shop.example.com"),
            CloudflareZone(id: "3", name: "ample.com"),
        ]
        #expect(ZoneMatcher.zone(for: "example.com", in: zones)?.id == "1")
        #expect(ZoneMatcher.zone(for: "www.example.com", in: zones)?.id == "1")
        #expect(ZoneMatcher.zone(for: "a.shop.example.com", in: zones)?.id == "2")
        #expect(ZoneMatcher.zone(for: "shop.example.com", in: zones)?.id == "2")
        #expect(ZoneMatcher.zone(for: "xample.com", in: zones) == nil)
        #expect(ZoneMatcher.zone(for: "other.org", in: zones) == nil)
    }
}
