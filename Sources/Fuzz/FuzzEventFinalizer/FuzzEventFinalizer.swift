import EventIngestion
import FuzzSupport
import Storage

/// What a plugin chain hands back, as bytes: the event after the chain and the record it came from,
/// finalized into what ingestion stores; and any text read as an ISO 8601 time.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let shape = input.choice(["chain output", "record payload", "both", "dropped"])
    let followUps = input.choice([
        [], [EventFinalizer.FollowUpWork(pluginConfigID: 1, kind: .onEvent)],
        [EventFinalizer.FollowUpWork(pluginConfigID: 2, kind: .exportEvent), .init(pluginConfigID: 3, kind: .onSnapshot)],
    ])
    let bytes = input.rest
    let accepted = Array(#"{"event":"e","distinct_id":"d","properties":{},"now":"2024-01-01T00:00:00.000Z","uuid":"u"}"#.utf8)
    let record = IngestionRecord(
        sequence: 1, teamID: 1, uuid: "0190c6a0-0000-7000-8000-000000000000", distinctID: "d",
        payload: shape == "chain output" ? accepted : bytes)
    let chainOutput: [UInt8]? =
        switch shape {
        case "dropped": nil
        case "record payload": accepted
        default: bytes
        }
    let outcome = EventFinalizer.outcome(for: record, event: chainOutput, droppedBy: "fuzz (1)", followUps: followUps)
    if followUps.isEmpty, chainOutput != nil {
        // Reading only the fields it needs must store what parsing the whole event stores (the follow-up forces
        // that). The times may differ by the moment between the two when the output has no `now`.
        let parsed = EventFinalizer.outcome(
            for: record, event: chainOutput, droppedBy: "fuzz (1)", followUps: [.init(pluginConfigID: 1, kind: .onEvent)])
        guard case .stored(var read) = outcome.result, case .stored(let full) = parsed.result else {
            fatalError("a chain output not stored")
        }
        read.timestamp = full.timestamp
        precondition(read == full, "the stored event differs from the full parse's")
        precondition(outcome.warnings.map(\.type) == parsed.warnings.map(\.type), "the warnings differ from the full parse's")
    }

    if let timestamp = Timestamp(iso8601: String(decoding: bytes, as: UTF8.self)) {
        _ = Timestamp(iso8601: timestamp.iso8601)
    }
    return 0
}

LibFuzzer.run { data, size in data.map { fuzz($0, size) } ?? 0 }
