import EventIngestion
import OrderedJSON
import Storage
import Testing

/// posthog-js's `$snapshot` events through capture's checks, and the session id stored beside every event.
@Suite struct SessionRecordingTests {
    private let project = Project(id: 3, organizationID: 1, name: "p", apiToken: "phc_t")
    private let origin = CaptureOrigin(ip: "127.0.0.1", siteURL: "http://localhost", now: .now, isEngage: false)

    private func prepare(_ json: String) throws -> Result<IngestionRecord, EventPreparation.Rejection> {
        EventPreparation.prepare(try JSONValue.parse(Array(json.utf8)), index: 0, project: project, origin: origin, sentAt: nil)
    }

    @Test(arguments: [
        // posthog-js ≥ 1.x: one event per flush, `$snapshot_data` the flush's rrweb events; distinct_id in properties.
        #"{"event":"$snapshot","properties":{"distinct_id":"ada","$session_id":"s1","$window_id":"w1","$snapshot_bytes":60,"$snapshot_data":[{"type":4,"data":{"href":"https://example.com/"},"timestamp":1},{"type":2,"data":{"node":{}},"timestamp":2}]}}"#,
        // Older posthog-js: one rrweb event per `$snapshot`.
        #"{"event":"$snapshot","distinct_id":"ada","properties":{"$session_id":"s1","$window_id":"w1","$snapshot_data":{"type":3,"data":{"source":2},"timestamp":3}}}"#,
        // PostHog's newer form of a batch: the rrweb events in `$snapshot_items`.
        #"{"event":"$snapshot_items","properties":{"distinct_id":"ada","$session_id":"s1","$window_id":"w1","$snapshot_source":"web","$snapshot_items":[{"type":3,"data":{"source":2},"timestamp":3}]}}"#,
    ])
    func aRecordingInEitherShapeIsAccepted(json: String) throws {
        guard case .success(let record) = try prepare(json) else {
            Issue.record("refused: \(json)")
            return
        }
        #expect(record.distinctID == "ada")
    }

    @Test(arguments: [
        (#"{"$snapshot_data":[{"type":2}]}"#, "$session_id"),
        (#"{"$session_id":"","$snapshot_data":[{"type":2}]}"#, "$session_id"),
        (#"{"$session_id":42,"$snapshot_data":[{"type":2}]}"#, "$session_id"),
        (#"{"$session_id":"\#(String(repeating: "s", count: 201))","$snapshot_data":[{"type":2}]}"#, "$session_id"),
        (#"{"$session_id":"s1"}"#, "$snapshot_data"),
        (#"{"$session_id":"s1","$snapshot_data":"text"}"#, "$snapshot_data"),
        (#"{"$session_id":"s1","$snapshot_data":null}"#, "$snapshot_data"),
    ])
    func aRecordingWithoutASessionOrDataIsRefused(properties: String, field: String) throws {
        try expectRefused(event: "$snapshot", properties: properties, field: field)
    }

    @Test(arguments: [
        (#"{"$snapshot_items":[{"type":2}]}"#, "$session_id"),
        (#"{"$session_id":["s1"],"$snapshot_items":[{"type":2}]}"#, "$session_id"),
        (#"{"$session_id":"s1"}"#, "$snapshot_items"),
        (#"{"$session_id":"s1","$snapshot_items":{"type":2}}"#, "$snapshot_items"),
        (#"{"$session_id":"s1","$snapshot_data":[{"type":2}]}"#, "$snapshot_items"),
    ])
    func aSnapshotItemsBatchWithoutASessionOrItemsIsRefused(properties: String, field: String) throws {
        try expectRefused(event: "$snapshot_items", properties: properties, field: field)
    }

    private func expectRefused(event: String, properties: String, field: String) throws {
        let json = #"{"event":"\#(event)","distinct_id":"ada","properties":\#(properties)}"#
        guard case .failure(let rejection) = try prepare(json) else {
            Issue.record("accepted: \(json)")
            return
        }
        #expect(rejection.reason.contains("properties.\(field)"), "\(rejection.reason)")
    }

    @Test func otherEventsNeedNoSession() throws {
        guard case .success = try prepare(#"{"event":"$pageview","distinct_id":"ada","properties":{"$session_id":42}}"#) else {
            Issue.record("a pageview with an odd $session_id was refused")
            return
        }
    }

    @Test func theSessionIDIsStoredWhenItCanBeFilteredBy() throws {
        func stored(_ sessionID: String) throws -> String? {
            let payload = #"{"event":"$pageview","distinct_id":"d","now":"2026-12-01T12:00:00Z","properties":{"$session_id":\#(sessionID)}}"#
            let record = IngestionRecord(sequence: 1, teamID: 3, uuid: "u", distinctID: "d", payload: Array(payload.utf8))
            let outcome = EventFinalizer.outcome(for: record, event: record.payload, droppedBy: nil, followUps: [])
            guard case .stored(let event) = outcome.result else { throw SessionRecordingTestError() }
            return event.sessionID
        }
        #expect(try stored(#""0192b1f4-aaaa-7000-8000-000000000001""#) == "0192b1f4-aaaa-7000-8000-000000000001")
        #expect(try stored("42") == nil)
        #expect(try stored(#""""#) == nil)
        #expect(try stored("\"\(String(repeating: "s", count: 201))\"") == nil)
    }

    @Test func aBodyOnlyInBase64AsPostHogJSLabelsItIsDecoded() throws {
        let request = CaptureRequest(
            isGET: false, query: ["compression": "base64"], contentType: "application/x-www-form-urlencoded",
            contentEncoding: nil, body: Array("data=eyJ0b2tlbiI6InBoY190In0%3D".utf8))
        #expect(try CapturePayloadDecoder.decode(request, maximumSize: 1_000).json == ["token": "phc_t"])
    }

    @Test func aRequestWithoutDataIsAnEmptyObjectOnlyWhenAllowed() throws {
        let request = CaptureRequest(isGET: true, query: ["token": "phc_t"], contentType: nil, contentEncoding: nil, body: [])
        #expect(throws: CaptureRejection.self) { try CapturePayloadDecoder.decode(request, maximumSize: 1_000) }
        let payload = try CapturePayloadDecoder.decode(request, maximumSize: 1_000, emptyAllowed: true)
        #expect(payload.json == .object(JSONObject()))
        #expect(try CaptureBatch(payload: payload, query: request.query).token == "phc_t")
    }
}

private struct SessionRecordingTestError: Error {}
