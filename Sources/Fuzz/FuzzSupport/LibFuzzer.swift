internal import CLibFuzzer
import Foundation

/// Starts libFuzzer from the fuzz target's top-level code.
///
/// libFuzzer brings its own `main`, but SwiftPM links every executable with `main` renamed to the Swift
/// module's entry point, which hides libFuzzer's. So the target's entry point hands over to libFuzzer's driver.
public enum LibFuzzer {
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}
