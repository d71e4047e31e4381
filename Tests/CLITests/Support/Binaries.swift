import Foundation
import PvdifyTestSupport

/// The built `pvdify` and `pvdifyd` (`PVDIFY_BIN` / `PVDIFYD_BIN` override them).
enum Binaries {
    static let repositoryRoot = BuiltProducts.repositoryRoot
    static var pvdify: URL { BuiltProducts.executable("pvdify", override: "PVDIFY_BIN") }
    static var pvdifyd: URL { BuiltProducts.executable("pvdifyd", override: "PVDIFYD_BIN") }
}
