import Foundation
import Testing

@testable import PvdifyAPI

/// Admin UI sessions end when idle, when old, and never grow without bound.
struct UISessionsTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aSessionIsFoundUntilItIsIdleTooLong() {
        let sessions = UISessions(idleTimeout: 60, maxAge: 3600)
        let session = sessions.open(secret: "pvd_a", now: start)
        #expect(session.id.count == 64)
        #expect(session.csrf.count == 64)
        #expect(session.id != session.csrf)
        #expect(sessions.find(session.id, now: start.addingTimeInterval(50))?.secret == "pvd_a")
        // Use keeps it alive: 50 s after the last use is still within the idle time.
        #expect(sessions.find(session.id, now: start.addingTimeInterval(100)) != nil)
        #expect(sessions.find(session.id, now: start.addingTimeInterval(161)) == nil)
        // Once expired it is gone, even if asked about at an earlier time.
        #expect(sessions.find(session.id, now: start.addingTimeInterval(101)) == nil)
    }

    @Test func aBusySessionStillEndsAtItsMaximumAge() {
        let sessions = UISessions(idleTimeout: 60, maxAge: 200)
        let session = sessions.open(secret: "pvd_a", now: start)
        for second in stride(from: 30, through: 180, by: 30) {
            #expect(sessions.find(session.id, now: start.addingTimeInterval(TimeInterval(second))) != nil)
        }
        #expect(sessions.find(session.id, now: start.addingTimeInterval(210)) == nil)
    }

    @Test func closingEndsASessionAndTheLeastRecentlyUsedGoesWhenFull() {
        let sessions = UISessions(idleTimeout: 600, maxAge: 3600, maxSessions: 3)
        let first = sessions.open(secret: "one", now: start)
        let second = sessions.open(secret: "two", now: start.addingTimeInterval(1))
        let third = sessions.open(secret: "three", now: start.addingTimeInterval(2))
        #expect(sessions.find(first.id, now: start.addingTimeInterval(3)) != nil)
        let fourth = sessions.open(secret: "four", now: start.addingTimeInterval(4))
        #expect(sessions.find(second.id, now: start.addingTimeInterval(5)) == nil)
        #expect(sessions.find(first.id, now: start.addingTimeInterval(5)) != nil)
        #expect(sessions.find(third.id, now: start.addingTimeInterval(5)) != nil)
        sessions.close(fourth.id)
        #expect(sessions.find(fourth.id, now: start.addingTimeInterval(6)) == nil)
    }

    @Test func aFlashIsShownOnce() {
        let sessions = UISessions()
        let session = sessions.open(secret: "pvd_a")
        sessions.setFlash(session.id, UISessions.Flash(text: "Scaled web to 2", isError: false))
        #expect(sessions.takeFlash(session.id)?.text == "Scaled web to 2")
        #expect(sessions.takeFlash(session.id) == nil)
    }
}

/// Browser form bodies as the UI reads them.
struct UIFormTests {
    @Test func decodesFieldsAsBrowsersEncodeThem() {
        let form = UIForm("csrf=ab12&key=GREETING&value=%3Cb%3Ehi+there%26more&scopes=read&scopes=deploy&empty=&flag")
        #expect(form["csrf"] == "ab12")
        #expect(form["value"] == "<b>hi there&more")
        #expect(form.all("scopes") == ["read", "deploy"])
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
        #expect(form["missing"] == nil)
    }

    @Test func dropsFieldsThatAreNotValidPercentEncoding() {
        let form = UIForm("bad%zz=1&good=2&value=%E2%82%AC")
        #expect(form["bad%zz"] == nil)
        #expect(form["good"] == "2")
        #expect(form["value"] == "€")
    }

    @Test func segmentsEscapeEverythingButUnreservedBytes() {
        #expect(InternalAPI.segment("API_KEY") == "API_KEY")
        #expect(InternalAPI.segment("../tokens?x=1#y") == "..%2Ftokens%3Fx%3D1%23y")
    }
}
