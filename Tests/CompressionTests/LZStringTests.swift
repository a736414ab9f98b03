import Compression
import Testing

@Suite struct LZStringTests {
    /// (input, lz-string 1.4.4 compressToBase64 output)
    static let fixtures: [(String, String)] = [
        ("Hello, world! PostHog lz64 test.", "BIUwNmD2A0AEDukBOYAmBCWAFSBnALsJAOaxgBeAbACyz4gEB0QA"),
        ("hello", "BYUwNmD2Q==="),
        ("", "Q==="),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "IY18ZVA="),
        ("TOBEORNOTTOBEORTOBEORNOT", "CoeQQgoiBKByLFJGSpwUA==="),
        ("Grüße, 世界! café ☕ 😀🎉 𝄞 ñ — ok", "OIJwPw+wpgNABINDlAyrgQjgYwIYDMCXdBUMjkF4NwAD3AeDcEj9uQFg3A8XbgEe5AUAjgHsBrIA"),
        (
            Fixtures.batch,
            "NobwRApgbhB2AuYBcYAkAHAhgc2gSwgHcwAaMdAJwHt0IL4CBnZcAEz0YdgGN4B9PK2RgADAEYAnCIBmAVggAmALQB2AEYBmbqtZiISidJGYlWgCxrZrAGwQV0gBwjSabgFcKFOPw8AbYQAW8PDojEgA9OEQAB6YALbovhAAdNxUceGUeNx4sNgA/G7wcXyMVB7cEAC8sESMScF0Lqi+eGrChBDtZC1tfDAUjHhUsMJiyWIaIsnOZPBUANZwwugB3HzwEJxgAL5zeHFb8PHowgoiCmZKIirXYgAqYgpIIiIv068iAFq7JODQ3mEqEwRSo3Ew6HgHggLkoNDoDC2LDA7E4uV4AiEKHEUjkilUmm0Kl0+kMxlM3AsVls9iczQBCA2AE9aMJuK1uAt6UlDghGHxuAFMLlhGoivNYMk1PBYEhNtF4FUADpgADKeGwsAABG50CqXPMlqMUKt1pttnswAxDpwTmcLlcbndHs9Xi9xrJXj8dgBdIA=="
        ),
        (
            String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 112),
            "CoCwpgBAjgrglgYwNYQEYCcD2B3AdhAM0wA8IArGAWwAcBnCTANzHQgBdwIAbAQwC8AnhAAmmAOYA6CKEixEKDDnxFSFGvSYt2nXoJHipM6PGRoseQiXJU6DZqw6RdQ0ZOmc5pxRZXX1drUdufhcDd1kTBXNlKzVbTQcdEP03I08opUtVGw17bSdk10MPSLNM3zjcwKS9IvDjeTKfWJyAxILasLTS7xjs/wT84M7UksberL94vKDnFOKI8ejJyrahubrupfKWgZma0NHFr2WK1sHZwq6xk53+6eqOw4WG2+b7qvbh5/r0pr6pp91lcjq8Mu9AWtLiMXn8Jmc9o9vvNfj1TrsHl8NtdjuCAasLgcUVs3vjzvsnsSbniVuSkdjQXD0R8oUTNtT/rTEViQbC0XdIYTKezcZyEZjgTDUdsIQSKciRWCxRigdCfiSaeLVWycUr4SrWcLdUyBXL6bzpaSuRK1VTRfqWUKFcb+bK6TypRrlY75Qy+TKydzJeqOQ7Bb6LV6w2aPSH7czw+bPaGEzHg3a9an3enFSa3UHbbnXYGbTrGcXrdqjeWA5XDc6a1atfW/ZbNQana2o1mC2X/U2OxHk/HTdnCy7a83O5GU6Pe9X++2fUm45m56WF23vYnYxm8yWqw3F9u0+PG0udzmJwPl7ui5PByu9xWp0PV/u69Ph2v8xuj1vozHPsAJ7P8u1nX9D3AkdIJbGcYIPODvw/V8n3vG9LzPY9APnf9u3XKD4J/RCv3fF9Hzva8L1PYD8Ng0jnwfW8r3PE8gM3OiSLfRiMJojiIK4tCqLY3DoOIz9uPQ6j2LwgSJKE1icLAoiUIoljsNAwjkPI5isJAgikLIpjMNouTUMoxTNMMnjpNElSdJM/iEPkiyNIMhipJE5TtOMvjZOc8z1P0+jJOEpStKM3iZLE1TdNMgK1L0ziXKC5LAqSszEvi8T0uy2LHP8nKsqcoq4s3IA"
        ),
    ]

    @Test func compressesLikeLZString() {
        for (input, expected) in Self.fixtures {
            #expect(LZString.compressToBase64(input) == expected, "\(input.prefix(40))")
        }
    }

    @Test func decompressesLZStringOutput() throws {
        for (expected, compressed) in Self.fixtures {
            #expect(try LZString.decompressFromBase64(compressed) == expected, "\(expected.prefix(40))")
        }
    }

    @Test func roundTripsGeneratedText() throws {
        var state: UInt32 = 9
        let pool: [Character] = ["a", "b", "{", "\"", ":", ",", "é", "ÿ", "世", "界", "😀", "𝄞", "\u{0}", "\u{FFFF}"]
        for length in [1, 2, 3, 10, 100, 1_000, 20_000] {
            let text = String((0..<length).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return pool[Int(state >> 16) % pool.count]
            })
            #expect(try LZString.decompressFromBase64(LZString.compressToBase64(text)) == text)
        }
    }

    /// lz-string returns null, or "" after reading past the end, or throws, for these.
    @Test(arguments: ["", "A", "AAAA", "!!!!", "BYUwNmD2", "BYUw", "CoeQQgoiBKByLFJG", "é", "////", "zzzz", "hello world"])
    func invalidInputIsNil(input: String) throws {
        #expect(try LZString.decompressFromBase64(input) == nil)
    }

    /// lz-string stops at the end code: missing padding and trailing characters don't matter.
    @Test func readsUpToTheEndCode() throws {
        #expect(try LZString.decompressFromBase64("BYUwNmD2Q") == "hello")
        #expect(try LZString.decompressFromBase64("IY18ZVA=extra") == String(repeating: "a", count: 36))
        #expect(try LZString.decompressFromBase64("Q") == "")
    }

    @Test func limitCountsUTF16CodeUnits() throws {
        let text = "😀😀😀"
        let compressed = LZString.compressToBase64(text)
        #expect(try LZString.decompressFromBase64(compressed, maximumOutput: 6) == text)
        let error = #expect(throws: CompressionError.self) { try LZString.decompressFromBase64(compressed, maximumOutput: 5) }
        #expect(error?.description == "decompressed data exceeds 5 UTF-16 code units")
    }

    @Test func bombStopsAtTheLimit() throws {
        let compressed = LZString.compressToBase64(String(repeating: "a", count: 2_000_000))
        #expect(compressed.utf8.count < 5_000)
        let error = #expect(throws: CompressionError.self) { try LZString.decompressFromBase64(compressed, maximumOutput: 100_000) }
        #expect(error?.description == "decompressed data exceeds 100000 UTF-16 code units")
    }
}
