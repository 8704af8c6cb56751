import LLMCostStore
import NIOCore
import PostgresNIO

/// An array argument (`SQLValue.array`) in PostgreSQL's binary array format, NULL elements
/// included (postgres-nio's own array encoding takes no optionals): one dimension, a NULL flag,
/// the element type, the length, lower bound 1, then each element as its length (-1 for NULL)
/// and its bytes. The server reads it without parsing text: a bulk insert binds thirty of these
/// per statement of thousands of calls.
struct BinaryArray: PostgresDynamicTypeEncodable {
    let array: SQLArray

    var psqlType: PostgresDataType {
        switch array {
        case .integers: .int8Array
        case .texts: .textArray
        case .blobs: .byteaArray
        }
    }

    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        switch array {
        case .integers(let values):
            write(values, element: .int8, into: &buffer) { value, buffer in
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(value)
            }
        case .texts(let values):
            write(values, element: .text, into: &buffer) { value, buffer in
                buffer.writeInteger(Int32(value.utf8.count))
                buffer.writeString(value)
            }
        case .blobs(let values):
            write(values, element: .bytea, into: &buffer) { value, buffer in
                buffer.writeInteger(Int32(value.count))
                buffer.writeBytes(value)
            }
        }
    }

    /// The header, then each element: NULL as length -1, else as `element` writes it (its
    /// length, then its bytes).
    private func write<Value>(
        _ values: [Value?], element: PostgresDataType, into buffer: inout ByteBuffer, _ writeElement: (Value, inout ByteBuffer) -> Void
    ) {
        header(into: &buffer, count: values.count, hasNull: values.contains { $0 == nil }, element: element)
        for value in values {
            if let value { writeElement(value, &buffer) } else { buffer.writeInteger(Int32(-1)) }
        }
    }

    private func header(into buffer: inout ByteBuffer, count: Int, hasNull: Bool, element: PostgresDataType) {
        // An empty array has no dimensions, as the server writes it.
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(element.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(Int32(1))  // lower bound
    }
}
