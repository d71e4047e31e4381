import Foundation

/// The process's limit on open files, which bounds how many connections it can hold.
enum OpenFileLimit {
    /// Raises the soft limit to the hard limit (often 1024 against a far higher hard limit), so the
    /// connection cap can be reached; returns the soft limit now in force.
    static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
