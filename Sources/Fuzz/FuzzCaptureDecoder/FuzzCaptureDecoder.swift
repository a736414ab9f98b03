import EventIngestion
import FuzzSupport
import OrderedJSON
import Storage

/// A capture request as any client could send it: GET or POST, each content type and compression, where
/// capture looks for them, a posthog-js `_` clock; then the batch, and each event as ingestion prepares it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let isGET = input.choice([false, true])
    let contentType = input.choice([
        nil, "application/json", "text/plain", "application/x-www-form-urlencoded",
        "Application/X-WWW-Form-URLEncoded; charset=utf-8",
    ])
    let compression = input.choice([nil, "gzip", "gzip-js", "lz64", "lz-string", "none", "GZIP", "br"])
    let compressionPlace = input.choice(["query", "form", "content-encoding"])
    let underscore = input.text()
    var body = input.rest

    var query: [String: String] = [:]
    if !underscore.isEmpty { query["_"] = underscore }
    switch compressionPlace {
    case "query": query["compression"] = compression
    case "form": if let compression { body = Array("compression=\(compression)&".utf8) + body }
    default: break
    }
    if isGET {
        query["data"] = String(decoding: body, as: UTF8.self)
        body = []
    }
    let request = CaptureRequest(
        isGET: isGET, query: query, contentType: contentType,
        contentEncoding: compressionPlace == "content-encoding" ? compression : nil, body: body)
    guard let payload = try? CapturePayloadDecoder.decode(request, maximumSize: 1024 * 1024),
        let batch = try? CaptureBatch(payload: payload, query: query)
    else { return 0 }
    // Whether IPs are dropped and the request is an `/engage` one follow from the input's shape, so both sides run.
    let project = Project(id: 1, organizationID: 1, name: "fuzz", apiToken: "phc_fuzz", anonymizeIPs: batch.events.count % 2 == 0)
    let origin = CaptureOrigin(ip: "127.0.0.1", siteURL: "http://127.0.0.1:8000", now: .now, isEngage: body.count % 2 == 0)
    for (index, event) in batch.events.enumerated() {
        _ = EventPreparation.prepare(event, index: index, project: project, origin: origin, sentAt: batch.sentAt)
    }
    return 0
}

LibFuzzer.run { data, size in data.map { fuzz($0, size) } ?? 0 }
