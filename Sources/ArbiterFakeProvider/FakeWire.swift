import Foundation

/// The two wire formats, as the fake writes them.
enum FakeWire {
    static func complete(_ format: FakeModelServer.Format, text: String, usage: FakeUsage?, model: String) -> String {
        var object: [String: Any]
        switch format {
        case .openAI:
            object = [
                "id": "chatcmpl-fake", "object": "chat.completion", "model": model,
                "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]],
            ]
            if let usage {
                object["usage"] = ["prompt_tokens": usage.input, "completion_tokens": usage.output, "total_tokens": usage.input + usage.output]
            }
        case .anthropic:
            object = [
                "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                "content": [["type": "text", "text": text]], "stop_reason": "end_turn",
            ]
            if let usage { object["usage"] = ["input_tokens": usage.input, "output_tokens": usage.output] }
        }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    /// Server-sent events for `text`, split into pieces; `complete` adds the end marker.
    static func events(_ format: FakeModelServer.Format, text: String, usage: FakeUsage?, model: String, complete: Bool) -> [String] {
        let pieces = stride(from: 0, to: text.count, by: 16).map { start -> String in
            let from = text.index(text.startIndex, offsetBy: start)
            return String(text[from..<(text.index(from, offsetBy: 16, limitedBy: text.endIndex) ?? text.endIndex)])
        }
        func encode(_ object: [String: Any]) -> String {
            String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        }
        var events: [String] = []
        switch format {
        case .openAI:
            for piece in pieces {
                events.append("data: " + encode(["id": "chatcmpl-fake", "model": model, "choices": [["index": 0, "delta": ["content": piece]]]]) + "\n\n")
            }
            if complete {
                events.append("data: " + encode(["id": "chatcmpl-fake", "model": model, "choices": [["index": 0, "delta": [:], "finish_reason": "stop"]]]) + "\n\n")
                if let usage {
                    events.append(
                        "data: " + encode(["id": "chatcmpl-fake", "model": model, "choices": [], "usage": ["prompt_tokens": usage.input, "completion_tokens": usage.output]])
                            + "\n\n")
                }
                events.append("data: [DONE]\n\n")
            }
        case .anthropic:
            events.append(
                "event: message_start\ndata: "
                    + encode(["type": "message_start", "message": ["id": "msg_fake", "model": model, "usage": ["input_tokens": usage?.input ?? 0, "output_tokens": 1]]])
                    + "\n\n")
            events.append("event: content_block_start\ndata: " + encode(["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]) + "\n\n")
            for piece in pieces {
                events.append(
                    "event: content_block_delta\ndata: " + encode(["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": piece]]) + "\n\n")
            }
            if complete {
                events.append("event: content_block_stop\ndata: " + encode(["type": "content_block_stop", "index": 0]) + "\n\n")
                events.append(
                    "event: message_delta\ndata: "
                        + encode(["type": "message_delta", "delta": ["stop_reason": "end_turn"], "usage": ["output_tokens": usage?.output ?? 0]]) + "\n\n")
                events.append("event: message_stop\ndata: " + encode(["type": "message_stop"]) + "\n\n")
            }
        }
        return events
    }
}
