import Foundation
import Testing
@testable import LLMCostProviders

/// Our JSON reader must agree with Foundation's on everything the wire can send.
@Suite struct WireValueReaderTests {
    /// Converts Foundation's parse to `WireValue`, to compare.
    private func foundation(_ text: String) throws -> WireValue {
        func convert(_ any: Any) -> WireValue {
            switch any {
            case let object as [String: Any]:
                var result = WireObject()
                for key in object.keys.sorted() {
                    result.keys.append(key)
                    result.values.append(convert(object[key]!))
                }
                return .object(result)
            case let array as [Any]: return .array(array.map(convert))
            case let string as String: return .string(string)
            case is NSNull: return .null
            case let number as NSNumber:
                if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
                if let exact = Int64(exactly: number.doubleValue), !"\(number)".contains(".") && !"\(number)".contains("e") {
                    return .int(exact)
                }
                return .double(number.doubleValue)
            default: return .null
            }
        }
        return convert(try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed))
    }

    /// Our value with object keys sorted, to compare with Foundation's unordered dictionaries.
    private func sorted(_ value: WireValue) -> WireValue {
        switch value {
        case .object(let object):
            let pairs = zip(object.keys, object.values).sorted { $0.0 < $1.0 }
            return .object(WireObject(keys: pairs.map(\.0), values: pairs.map { sorted($0.1) }))
        case .array(let array): return .array(array.map(sorted))
        default: return value
        }
    }

    @Test(arguments: [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
        #"{"text":"caf\u00e9 \ud83d\ude00 \"quoted\" back\\slash\/ \n\t\r\b\f"}"#,
        #"  {"spaced" : [ 1 , 2 ] }  "#,
        #"{"unicode":"日本語","emoji":"🙂"}"#,
        #"[]"#, #"{}"#, #""plain""#, #"[[[[]]]]"#,
    ])
    func agreesWithFoundation(text: String) throws {
        #expect(sorted(try WireValueReader.parse(text)) == sorted(try foundation(text)))
    }

    @Test(arguments: [
        #"{"a":1"#, #"{"a" 1}"#, #"{"a":tru}"#, #"{"a":"unterminated}"#, #"[1,]"#, #"{"a":1,}"#, #"01x"#,
        #"{"a":"\x"}"#, "{\"a\":\"raw\u{01}control\"}", #"{} {}"#, "", String(repeating: "[", count: 5000),
    ])
    func rejectsMalformedJSON(text: String) {
        #expect(throws: WireValueReader.SyntaxError.self) { _ = try WireValueReader.parse(text) }
    }

    @Test func readsNumbersExactly() throws {
        let value = try WireValueReader.parse(#"{"n":-0.5,"e":1e3,"E":2.5E-2,"big":9007199254740993,"neg":-42,"whole":12.0}"#)
        #expect(value["n"] == .double(-0.5))
        #expect(value["e"] == .double(1000))
        #expect(value["E"] == .double(0.025))
        #expect(value["big"] == .int(9_007_199_254_740_993))
        #expect(value["neg"]?.int64 == -42)
        #expect(value["whole"]?.int64 == 12)
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try WireValueReader.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(try WireValueReader.parse(#"["\ud800\u0041"]"#) == .array([.string("\u{FFFD}A")]))
    }

    @Test func everyTranscriptEventAgreesWithFoundation() throws {
        for (name, text) in try anthropicTranscripts() {
            var decoder = SSEDecoder()
            for event in decoder.decode(Array(text.utf8)) + decoder.finish() {
                #expect(sorted(try WireValueReader.parse(event.data)) == sorted(try foundation(event.data)), "\(name)")
            }
        }
    }
}
