import EventIngestion
import Foundation
import OrderedJSON
@testable import PluginServer
import Storage
import Testing

/// The messages action webhooks post: PostHog's template tokens filled in from the processed event, in each
/// service's payload shape, and which events a rule's name and property filters match.
@Suite struct ActionWebhookMessageTests {
    static let eventJSON: JSONValue = [
        "event": "signed up", "distinct_id": "user-7", "uuid": "0190b4c8-0000-7000-8000-000000000001",
        "timestamp": "2026-12-01T10:00:00.000Z", "team_id": 1, "site_url": "http://quill.test",
        "properties": [
            "$current_url": "https://example.com/pricing?a=1&b=<2>", "plan": "pro", "seats": 3, "$browser": "Firefox",
            "$set": ["email": "ada@example.com"],
        ],
    ]
    static var event: JSONObject { eventJSON.objectValue ?? JSONObject() }

    static func webhook(_ service: ActionWebhook.Service, format: String = "", filters: String = "[]", event: String? = "signed up")
        -> ActionWebhook
    {
        ActionWebhook(
            id: 4, teamID: 1,
            settings: ActionWebhook.Settings(
                name: "Sign-ups", enabled: true, event: event, propertyFilters: filters, service: service, url: "https://hooks.test/x",
                messageFormat: format),
            createdAt: Date())
    }

    static let template = "[user.name] did [event.name] on [event.properties.$current_url]"
    static let eventsLink = "http://quill.test/api/projects/1/events/?distinct_id=user%2D7"

    @Test func slackGetsTextAndAMarkdownBlockWithItsOwnLinksAndEscapes() {
        let message = ActionWebhookMessage(webhook: Self.webhook(.slack, format: Self.template), event: Self.event)
        let url = "https://example.com/pricing?a=1&amp;b=&lt;2&gt;"
        #expect(
            message.payload == [
                "text": .string("ada@example.com did signed up on \(url)"),
                "blocks": [
                    [
                        "type": "section",
                        "text": ["type": "mrkdwn", "text": .string("<\(Self.eventsLink)|ada@example.com> did signed up on \(url)")],
                    ]
                ],
            ])
    }

    @Test func discordGetsContentInMarkdown() {
        let message = ActionWebhookMessage(webhook: Self.webhook(.discord, format: Self.template), event: Self.event)
        #expect(
            message.payload
                == ["content": .string("[ada@example.com](\(Self.eventsLink)) did signed up on https://example.com/pricing?a=1&b=<2>")])
    }

    @Test func teamsGetsTextInMarkdown() {
        let message = ActionWebhookMessage(webhook: Self.webhook(.teams), event: Self.event)
        #expect(
            message.payload
                == ["text": .string("[Sign-ups](http://quill.test/ui/#/webhooks) was triggered by [ada@example.com](\(Self.eventsLink))")])
    }

    @Test func aJSONWebhookGetsTheTextTheEventAndTheAction() {
        let message = ActionWebhookMessage(webhook: Self.webhook(.json), event: Self.event)
        #expect(
            message.payload == [
                "text": "Sign-ups was triggered by ada@example.com",
                "event": [
                    "uuid": "0190b4c8-0000-7000-8000-000000000001", "event": "signed up", "distinct_id": "user-7",
                    "properties": Self.event["properties"]!, "timestamp": "2026-12-01T10:00:00.000Z", "team_id": 1,
                ],
                "action": ["id": 4, "name": "Sign-ups"],
            ])
    }

    @Test func everyTokenPostHogKnows() {
        let format = """
            [event] [event.uuid] [event.distinct_id] [event.timestamp] [event.properties.seats] [event.properties.missing] \
            [person] [person.properties.email] [user.browser] [action.name] [event.link]
            """
        let text = ActionWebhookMessage(webhook: Self.webhook(.json, format: format), event: Self.event).rendered.text
        #expect(
            text == """
                signed up 0190b4c8-0000-7000-8000-000000000001 user-7 2026-12-01T10:00:00.000Z 3 undefined \
                ada@example.com ada@example.com Firefox Sign-ups \(Self.eventsLink)&event=signed%20up
                """)
    }

    @Test func aTemplateWithAnUnknownTokenSaysSoInsteadOfHalfAMessage() {
        let (text, markdown) = ActionWebhookMessage(webhook: Self.webhook(.discord, format: "[nonsense] happened"), event: Self.event).rendered
        #expect(text == "⚠ Error: There are one or more formatting errors in the message template for action \"Sign-ups\".")
        #expect(markdown.hasPrefix("*⚠ Error:"))
    }

    @Test func aPersonWithoutAnEmailIsTheirDistinctID() {
        var event = Self.event
        event["properties"] = ["plan": "pro"]
        #expect(ActionWebhookMessage(webhook: Self.webhook(.json), event: event).rendered.text == "Sign-ups was triggered by user-7")
    }

    // MARK: Matching

    static func work(_ filters: String, event name: String = "signed up", properties: JSONValue, rule: String? = "signed up")
        throws -> [Int]
    {
        let webhook = Self.webhook(.json, filters: filters, event: rule)
        let rules = HookMatcher.Rules(
            webhooks: [(webhook, try EventPropertyFilter.list(try JSONValue.parse(Array(filters.utf8))))], restHooks: [])
        let event: JSONValue = ["event": .string(name), "distinct_id": "d", "properties": properties]
        return rules.work(for: event.serialized()).map(\.pluginConfigID)
    }

    @Test func aRuleMatchesItsEventNameOrEveryEvent() throws {
        #expect(try Self.work("[]", properties: [:]) == [HookLane.actionWebhook(id: 4).workQueueID])
        #expect(try Self.work("[]", event: "logged in", properties: [:]).isEmpty)
        #expect(try Self.work("[]", event: "logged in", properties: [:], rule: nil).count == 1)
        #expect(try Self.work("[]", event: "$snapshot", properties: [:], rule: nil).isEmpty)
    }

    @Test(arguments: [
        (#"[{"key": "plan", "value": "pro"}]"#, ["plan": "pro"], true),
        (#"[{"key": "plan", "value": ["team", "pro"], "operator": "exact"}]"#, ["plan": "pro"], true),
        (#"[{"key": "seats", "value": "3"}]"#, ["seats": 3], true),
        (#"[{"key": "plan", "value": "pro"}]"#, ["plan": "free"], false),
        (#"[{"key": "plan", "value": "pro", "operator": "is_not"}]"#, ["plan": "free"], true),
        (#"[{"key": "plan", "value": "pro", "operator": "is_not"}]"#, [:], true),
        (#"[{"key": "plan", "value": "pro", "operator": "is_not"}]"#, ["plan": "pro"], false),
        (#"[{"key": "$current_url", "value": "PRICING", "operator": "icontains"}]"#, ["$current_url": "https://x.com/pricing"], true),
        (#"[{"key": "$current_url", "value": "docs", "operator": "icontains"}]"#, ["$current_url": "https://x.com/pricing"], false),
        (#"[{"key": "$current_url", "value": "^https://[a-z.]+/p", "operator": "regex"}]"#, ["$current_url": "https://x.com/pricing"], true),
        (#"[{"key": "$current_url", "value": "^http://", "operator": "regex"}]"#, ["$current_url": "https://x.com/pricing"], false),
        (#"[{"key": "email", "operator": "is_set"}]"#, ["email": "a@b.c"], true),
        (#"[{"key": "email", "operator": "is_set"}]"#, ["email": nil], false),
        (#"[{"key": "plan", "value": "pro"}, {"key": "email", "operator": "is_set"}]"#, ["plan": "pro"], false),
    ] as [(String, JSONValue, Bool)])
    func propertyFilters(filters: String, properties: JSONValue, matches: Bool) throws {
        #expect(try !Self.work(filters, properties: properties).isEmpty == matches)
    }

    @Test func aRestHookGetsItsEventOrTheMatchesOfItsAction() throws {
        let webhook = Self.webhook(.json, event: "signed up")
        var disabled = Self.webhook(.json, event: "signed up")
        disabled.id = 5
        disabled.settings.enabled = false
        let rules = HookMatcher.Rules(
            webhooks: [(webhook, []), (disabled, [])],
            restHooks: [
                RestHook(id: 1, teamID: 1, target: "https://t/1", event: "signed up", resourceID: nil, createdAt: Date()),
                RestHook(id: 2, teamID: 1, target: "https://t/2", event: "action_performed", resourceID: 5, createdAt: Date()),
                RestHook(id: 3, teamID: 1, target: "https://t/3", event: "logged in", resourceID: nil, createdAt: Date()),
            ])
        let work = rules.work(for: (["event": "signed up", "properties": [:]] as JSONValue).serialized())
        // A turned-off webhook posts no message, but REST hooks on its rule still fire.
        #expect(work.map(\.kind) == [.actionWebhook, .restHook, .restHook])
        #expect(
            work.map(\.pluginConfigID).compactMap(HookLane.init(workQueueID:)) == [
                .actionWebhook(id: 4), .restHook(id: 1), .restHook(id: 2),
            ])
    }
}
