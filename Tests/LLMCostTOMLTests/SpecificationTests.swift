import Testing
@testable import LLMCostTOML

/// A document and what it must read as (in the canonical JSON of `CanonicalJSON`).
struct SpecCase: Sendable, CustomTestStringConvertible {
    var name: String
    var document: String
    var expected: String
    init(_ name: String, _ document: String, _ expected: String) {
        self.name = name
        self.document = document
        self.expected = expected
    }
    var testDescription: String { name }
}

/// A document that is not TOML, the start of the message it must give, and where.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    var document: String
    var message: String
    var line: Int
    var column: Int
    init(_ document: String, _ message: String, _ line: Int, _ column: Int) {
        self.document = document
        self.message = message
        self.line = line
        self.column = column
    }
    var testDescription: String { document.debugDescription }
}

/// The TOML 1.0.0 specification's examples and rules, one by one.
@Suite struct SpecificationTests {
    /// The spec's valid examples (values checked against tomllib once, then written down).
    static let valid: [SpecCase] = [
        SpecCase("comments", "# This is a full-line comment\nkey = \"value\"  # This is a comment at the end of a line\nanother = \"# This is not a comment\"\n",
                 "{\"another\":[\"string\",\"# This is not a comment\"],\"key\":[\"string\",\"value\"]}"),
        SpecCase("keys", "bare_key = 1\nbare-key = 2\n1234 = 3\n\"127.0.0.1\" = 4\n\"ʎǝʞ\" = 5\n'quoted \"value\"' = 6\n\"\" = 7\n",
                 "{\"\":[\"integer\",\"7\"],\"1234\":[\"integer\",\"3\"],\"127.0.0.1\":[\"integer\",\"4\"],\"bare-key\":[\"integer\",\"2\"],\"bare_key\":[\"integer\",\"1\"],\"quoted \\\"value\\\"\":[\"integer\",\"6\"],\"\\u028e\\u01dd\\u029e\":[\"integer\",\"5\"]}"),
        SpecCase("dotted", "name = \"Orange\"\nphysical.color = \"orange\"\nsite.\"google.com\" = true\nfruit . flavor = \"banana\"\n3.14159 = \"pi\"\n",
                 "{\"3\":{\"14159\":[\"string\",\"pi\"]},\"fruit\":{\"flavor\":[\"string\",\"banana\"]},\"name\":[\"string\",\"Orange\"],\"physical\":{\"color\":[\"string\",\"orange\"]},\"site\":{\"google.com\":[\"bool\",\"true\"]}}"),
        SpecCase("escapes", "str = \"I'm a string. \\\"You can quote me\\\". Name\\tJos\\u00E9\\nLoc\\\\ \\b\\f\\r \\U0001F600\"\n",
                 "{\"str\":[\"string\",\"I'm a string. \\\"You can quote me\\\". Name\\tJos\\u00e9\\nLoc\\\\ \\b\\f\\r \\ud83d\\ude00\"]}"),
        SpecCase("multiline", "str1 = \"\"\"\nRoses are red\nViolets are blue\"\"\"\nstr2 = \"\"\"\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog.\"\"\"\nstr7 = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"\n",
                 "{\"str1\":[\"string\",\"Roses are red\\nViolets are blue\"],\"str2\":[\"string\",\"The quick brown fox jumps over the lazy dog.\"],\"str7\":[\"string\",\"\\\"This,\\\" she said, \\\"is just a pointless statement.\\\"\"]}"),
        SpecCase("literal", "winpath = 'C:\\Users\\nodejs\\templates'\nregex2 = '''I [dw]on't need \\d{2} apples'''\nlines = '''\nThe first newline is\ntrimmed.\n'''\nquot15 = '''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''\nstr = ''''That,' she said, 'is still pointless.''''\n",
                 "{\"lines\":[\"string\",\"The first newline is\\ntrimmed.\\n\"],\"quot15\":[\"string\",\"Here are fifteen quotation marks: \\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\"],\"regex2\":[\"string\",\"I [dw]on't need \\\\d{2} apples\"],\"str\":[\"string\",\"'That,' she said, 'is still pointless.'\"],\"winpath\":[\"string\",\"C:\\\\Users\\\\nodejs\\\\templates\"]}"),
        SpecCase("integers", "a = +99\nb = -17\nc = 5_349_221\nd = 0xdead_BEEF\ne = 0o755\nf = 0b1101_0110\ng = 9223372036854775807\nh = -9223372036854775808\ni = -0\n",
                 "{\"a\":[\"integer\",\"99\"],\"b\":[\"integer\",\"-17\"],\"c\":[\"integer\",\"5349221\"],\"d\":[\"integer\",\"3735928559\"],\"e\":[\"integer\",\"493\"],\"f\":[\"integer\",\"214\"],\"g\":[\"integer\",\"9223372036854775807\"],\"h\":[\"integer\",\"-9223372036854775808\"],\"i\":[\"integer\",\"0\"]}"),
        SpecCase("floats", "a = +1.0\nb = -0.01\nc = 5e+22\nd = 1e06\ne = -2E-2\nf = 224_617.445_991_228\ng = -0.0\nh = -inf\ni = +nan\nj = 0.10\n",
                 "{\"a\":[\"float\",\"+1.0\"],\"b\":[\"float\",\"-0.01\"],\"c\":[\"float\",\"5e+22\"],\"d\":[\"float\",\"1e06\"],\"e\":[\"float\",\"-2E-2\"],\"f\":[\"float\",\"224617.445991228\"],\"g\":[\"float\",\"-0.0\"],\"h\":[\"float\",\"-inf\"],\"i\":[\"float\",\"+nan\"],\"j\":[\"float\",\"0.10\"]}"),
        SpecCase("dates", "odt1 = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27t00:32:00.999999-07:00\nodt3 = 1979-05-27 07:32:00.5z\nldt = 1979-05-27T00:32:00.1234567\nld = 2024-02-29\nlt = 00:32:00.999\n",
                 "{\"ld\":[\"date-local\",\"2024-02-29\"],\"ldt\":[\"datetime-local\",\"1979-05-27T00:32:00.123456\"],\"lt\":[\"time-local\",\"00:32:00.999000\"],\"odt1\":[\"datetime\",\"1979-05-27T07:32:00+00:00\"],\"odt2\":[\"datetime\",\"1979-05-27T00:32:00.999999-07:00\"],\"odt3\":[\"datetime\",\"1979-05-27T07:32:00.500000+00:00\"]}"),
        SpecCase("arrays", "integers = [ 1, 2, 3 ]\nnested_mixed = [ [ 1, 2 ], [\"a\", 'b'], [ 0.1, 1979-05-27 ] ]\nempty = []\nmulti = [\n  1, # one\n  2,\n]\nmixed = [ {x = 1}, \"s\" ]\n",
                 "{\"empty\":[\"array\",[]],\"integers\":[\"array\",[[\"integer\",\"1\"],[\"integer\",\"2\"],[\"integer\",\"3\"]]],\"mixed\":[\"array\",[{\"x\":[\"integer\",\"1\"]},[\"string\",\"s\"]]],\"multi\":[\"array\",[[\"integer\",\"1\"],[\"integer\",\"2\"]]],\"nested_mixed\":[\"array\",[[\"array\",[[\"integer\",\"1\"],[\"integer\",\"2\"]]],[\"array\",[[\"string\",\"a\"],[\"string\",\"b\"]]],[\"array\",[[\"float\",\"0.1\"],[\"date-local\",\"1979-05-27\"]]]]]}"),
        SpecCase("tables", "[table-1]\nkey1 = \"some string\"\n[dog.\"tater.man\"]\ntype.name = \"pug\"\n[ j . \"ʞ\" . 'l' ]\n[x.y.z.w]\n[x]\n[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n",
                 "{\"dog\":{\"tater.man\":{\"type\":{\"name\":[\"string\",\"pug\"]}}},\"fruit\":{\"apple\":{\"color\":[\"string\",\"red\"],\"taste\":{\"sweet\":[\"bool\",\"true\"]},\"texture\":{\"smooth\":[\"bool\",\"true\"]}}},\"j\":{\"\\u029e\":{\"l\":{}}},\"table-1\":{\"key1\":[\"string\",\"some string\"]},\"x\":{\"y\":{\"z\":{\"w\":{}}}}}"),
        SpecCase("inline", "name = { first = \"Tom\", last = \"Preston-Werner\" }\nanimal = { type.name = \"pug\", type.kind = \"dog\" }\nempty = {}\n",
                 "{\"animal\":{\"type\":{\"kind\":[\"string\",\"dog\"],\"name\":[\"string\",\"pug\"]}},\"empty\":{},\"name\":{\"first\":[\"string\",\"Tom\"],\"last\":[\"string\",\"Preston-Werner\"]}}"),
        SpecCase("aot", "[[products]]\nname = \"Hammer\"\n[[products]]  # empty table within the array\n[[products]]\nname = \"Nail\"\n[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n[[fruits.varieties]]\nname = \"red delicious\"\n[[fruits.varieties]]\nname = \"granny smith\"\n[[fruits]]\nname = \"banana\"\n[[fruits.varieties]]\nname = \"plantain\"\n",
                 "{\"fruits\":[\"array\",[{\"name\":[\"string\",\"apple\"],\"physical\":{\"color\":[\"string\",\"red\"]},\"varieties\":[\"array\",[{\"name\":[\"string\",\"red delicious\"]},{\"name\":[\"string\",\"granny smith\"]}]]},{\"name\":[\"string\",\"banana\"],\"varieties\":[\"array\",[{\"name\":[\"string\",\"plantain\"]}]]}]],\"products\":[\"array\",[{\"name\":[\"string\",\"Hammer\"]},{},{\"name\":[\"string\",\"Nail\"]}]]}"),
        SpecCase("crlf", "a = 1\r\nb = \"\"\"x\r\ny\"\"\"\r\n# c\r\n",
                 "{\"a\":[\"integer\",\"1\"],\"b\":[\"string\",\"x\\ny\"]}"),
        SpecCase("implicitthendotted", "[a.b.c]\nz = 1\n[a]\nb.d = 2\n",
                 "{\"a\":{\"b\":{\"c\":{\"z\":[\"integer\",\"1\"]},\"d\":[\"integer\",\"2\"]}}}"),
    ]

    @Test(arguments: valid) func readsValidDocuments(_ specCase: SpecCase) throws {
        #expect(CanonicalJSON.render(try TOMLParser.parse(specCase.document)) == specCase.expected)
    }

    static let invalid: [InvalidCase] = [
        // Key/value pairs.
        InvalidCase("key = # INVALID\n", "expected a value", 1, 7),
        InvalidCase("first = \"Tom\" last = \"Preston-Werner\"\n", "expected end of line after the value, found 'last'", 1, 15),
        InvalidCase("= \"no key name\"\n", "expected a key, a [table] header or a comment, found '='", 1, 1),
        InvalidCase("key\n= 1\n", "expected '=' after the key key, found end of line", 1, 4),
        InvalidCase("a = 1\na = 2\n", "key a is defined twice (first at 1:1)", 2, 1),
        InvalidCase("spelling = \"favorite\"\n\"spelling\" = \"favourite\"\n", "key spelling is defined twice", 2, 1),
        InvalidCase("fruit.apple = 1\nfruit.apple.smooth = true\n", "fruit.apple is already an integer (at 1:15)", 2, 7),
        InvalidCase("a = 1 b = 2\n", "expected end of line after the value", 1, 7),
        // Strings.
        InvalidCase("s = \"\\x41\"\n", "expected an escape", 1, 7),
        InvalidCase("s = \"\\e\"\n", "expected an escape", 1, 7),
        InvalidCase("s = \"\\uD800\"\n", "\\u escape of a surrogate", 1, 6),
        InvalidCase("s = \"\\U00110000\"\n", "\\U escape of a surrogate or a value above U+10FFFF", 1, 6),
        InvalidCase("s = \"\\u12\"\n", "expected 4 hexadecimal digits after \\u, found '\"'", 1, 10),
        InvalidCase("s = \"open\nt = 1\n", "expected '\"' to close the string opened at 1:5 before the line ends", 1, 10),
        InvalidCase("s = 'open\n", "expected \"'\" to close the string opened at 1:5", 1, 10),
        InvalidCase("s = \"a\u{1}b\"\n", "control character U+0001 must be escaped", 1, 7),
        InvalidCase("s = 'tab\tok, del\u{7F}not'\n", "control character U+007F is not allowed in a literal string", 1, 17),
        InvalidCase("s = \"\"\"x\"\"\"\"\"\"\n", "too many quotes", 1, 9),
        InvalidCase("s = \"\"\"\nline \\ x\n\"\"\"\n", "expected a line break after the '\\' at 2:6", 2, 8),
        InvalidCase("s = \"\"\"never closed\n", "expected \"\"\" to close the multi-line string opened at 1:5, found end of file", 2, 1),
        // Integers.
        InvalidCase("n = 01\n", "a decimal number cannot have leading zeros", 1, 5),
        InvalidCase("n = 1__0\n", "'_' in a number must sit between two digits", 1, 6),
        InvalidCase("n = 1_\n", "'_' in a number must sit between two digits", 1, 6),
        InvalidCase("n = _1\n", "expected a value", 1, 5),
        InvalidCase("n = 0x\n", "expected hexadecimal digits after 0x, found end of line", 1, 7),
        InvalidCase("n = 0xG\n", "expected hexadecimal digits after 0x, found 'G'", 1, 7),
        InvalidCase("n = +0x1\n", "hexadecimal, octal and binary integers cannot have a sign", 1, 5),
        InvalidCase("n = 0o8\n", "expected octal digits after 0o", 1, 7),
        InvalidCase("n = 9223372036854775808\n", "integer 9223372036854775808 is outside the 64-bit range", 1, 5),
        InvalidCase("n = -9223372036854775809\n", "integer -9223372036854775809 is outside the 64-bit range", 1, 5),
        InvalidCase("n = 0x8000_0000_0000_0000\n", "integer 0x8000000000000000 is above the 64-bit maximum", 1, 5),
        // Floats.
        InvalidCase("f = .7\n", "expected a value", 1, 5),
        InvalidCase("f = 7.\n", "expected a digit after the decimal point, found end of line", 1, 7),
        InvalidCase("f = 3.e+20\n", "expected a digit after the decimal point, found 'e'", 1, 7),
        InvalidCase("f = 1e\n", "expected a digit in the exponent", 1, 7),
        InvalidCase("f = 1e_5\n", "expected a digit in the exponent, found '_5'", 1, 7),
        InvalidCase("f = 1._5\n", "expected a digit after the decimal point", 1, 7),
        InvalidCase("f = infinity\n", "expected end of line after the value, found 'inity'", 1, 8),
        InvalidCase("f = NaN\n", "expected a value", 1, 5),
        InvalidCase("f = -\n", "expected a digit, inf or nan after the sign", 1, 6),
        // Booleans.
        InvalidCase("b = True\n", "expected a value (a string, number, boolean, date or time, array or inline table), found 'True'", 1, 5),
        InvalidCase("b = tru\n", "found 'tru'", 1, 5),
        // Dates and times.
        InvalidCase("d = 1979-02-29\n", "1979-02-29 is not a calendar date", 1, 5),
        InvalidCase("d = 1900-02-29\n", "1900-02-29 is not a calendar date", 1, 5),
        InvalidCase("d = 1979-13-01\n", "is not a calendar date", 1, 5),
        InvalidCase("d = 1979-04-31\n", "is not a calendar date", 1, 5),
        InvalidCase("d = 1979-05-00\n", "is not a calendar date", 1, 5),
        InvalidCase("d = 1979-5-27\n", "expected a 2-digit month, found '-27'", 1, 11),
        InvalidCase("d = 1979-05-27T24:00:00\n", "24:00:00 is not a time of day", 1, 16),
        InvalidCase("d = 1979-05-27T07:60:00\n", "is not a time of day", 1, 16),
        InvalidCase("d = 1979-05-27T07:32:60Z\n", "is not a time of day", 1, 16),
        InvalidCase("t = 07:32\n", "expected ':' and seconds after the minutes", 1, 10),
        InvalidCase("d = 1979-05-27T07:32:00+24:00\n", "the offset must be within", 1, 24),
        InvalidCase("d = 1979-05-27T07:32:00+05\n", "expected ':' in the offset", 1, 27),
        InvalidCase("t = 07:32:00.\n", "expected digits after the decimal point of the seconds", 1, 14),
        InvalidCase("d = 1979-05-27T\n", "expected a 2-digit hour", 1, 16),
        // Arrays.
        InvalidCase("a = [1 2]\n", "expected ',' or ']' in the array opened at 1:5, found '2'", 1, 8),
        InvalidCase("a = [,]\n", "expected a value", 1, 6),
        InvalidCase("a = [1,,2]\n", "expected a value", 1, 8),
        InvalidCase("a = [1, 2\n", "expected ',' or ']' in the array opened at 1:5, found end of file", 2, 1),
        // Inline tables.
        InvalidCase("t = { a = 1, }\n", "an inline table cannot end with a comma", 1, 14),
        InvalidCase("t = { a = 1,\n b = 2 }\n", "expected a key in the inline table opened at 1:5, found end of line", 1, 13),
        InvalidCase("t = { a = 1 b = 2 }\n", "expected ',' or '}' in the inline table opened at 1:5", 1, 13),
        InvalidCase("t = { a = 1, a = 2 }\n", "key a is defined twice", 1, 14),
        InvalidCase("t = { a = {b = 1}, a.c = 2 }\n", "a is already a table (at 1:11), so dotted keys cannot add to it", 1, 20),
        InvalidCase("t = {b = 1}\nt.c = 2\n", "t is already a table (at 1:5), so dotted keys cannot add to it", 2, 1),
        InvalidCase("t = {}\n[t]\n", "cannot define [t]: t is already a table (at 1:5)", 2, 2),
        InvalidCase("t = {b.c = 1}\n[t.b]\n", "cannot define [t.b]: t is already a table", 2, 2),
        // Tables.
        InvalidCase("[fruit]\napple = \"red\"\n[fruit]\n", "table [fruit] is defined twice (first at 1:1)", 3, 2),
        InvalidCase("[fruit]\napple = \"red\"\n[fruit.apple]\n", "cannot define [fruit.apple]: fruit.apple is already a string (at 2:9)", 3, 8),
        InvalidCase("[fruit]\napple.color = \"red\"\n[fruit.apple]\n", "table [fruit.apple] is already defined by dotted keys at 2:1", 3, 8),
        InvalidCase("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]\n", "table [fruit.apple.taste] is already defined by dotted keys", 3, 14),
        InvalidCase("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", "table a.b.c is defined by its header at 1:1; dotted keys cannot add to it", 4, 3),
        InvalidCase("[a.b]\nx = 1\n[a]\nb.y = 2\n", "table a.b is defined by its header", 4, 1),
        InvalidCase("[]\n", "expected a key in the table header, found ']'", 1, 2),
        InvalidCase("[a]b = 1\n", "expected end of line after the table header, found 'b'", 1, 4),
        InvalidCase("[a\n", "expected ']' to close the table header, found end of line", 1, 3),
        InvalidCase("[[a]\n", "expected ']]' to close the [[...]] header, found ']'", 1, 4),
        InvalidCase("[ [a]]\n", "expected a key in the table header, found '['", 1, 3),
        InvalidCase("[report]\ntimezone = \"UTC\"\n[>report]\n", "expected a key in the table header, found '>'", 3, 2),
        InvalidCase("[[>budgets]]\n", "expected a key in the [[...]] header, found '>'", 1, 3),
        InvalidCase("[a.]\n", "expected a key in the table header, found ']'", 1, 4),
        // Arrays of tables.
        InvalidCase("fruits = []\n[[fruits]]\n", "cannot define [[fruits]]: fruits is already an array (at 1:10)", 2, 3),
        InvalidCase("[[fruits]]\n[fruits]\n", "fruits is an array of tables (first [[...]] at 1:1); write [[fruits]] to add an element", 2, 2),
        InvalidCase("[fruit.physical]\ncolor = \"red\"\n[[fruit]]\n", "cannot define [[fruit]]: fruit is already a table (at 1:1)", 3, 3),
        InvalidCase("[[fruits]]\n[[fruits.varieties]]\n[fruits.varieties]\n", "fruits.varieties is an array of tables", 3, 9),
        InvalidCase("[[fruits]]\n[fruits.physical]\n[[fruits.physical]]\n", "cannot define [[fruits.physical]]: fruits.physical is already a table", 3, 10),
        InvalidCase("[[t]]\na.b = 1\n[[t]]\nx = 1\n[t.a]\nc = 1\n[t.a]\n", "table [t.a] is defined twice (first at 5:1)", 7, 4),
        // Bytes TOML refuses.
        InvalidCase("a = 1\rb = 2\n", "a carriage return (U+000D) must be followed by a line feed", 1, 6),
        InvalidCase("# nul \u{0} in a comment\n", "control character U+0000 is not allowed in a comment", 1, 7),
        InvalidCase("a = 1 # del \u{7F}\n", "control character U+007F is not allowed in a comment", 1, 13),
        InvalidCase("\u{0}a = 1\n", "expected a key, a [table] header or a comment, found control character U+0000", 1, 1),
    ]

    @Test(arguments: invalid) func rejectsInvalidDocumentsSayingWhereAndWhat(_ invalidCase: InvalidCase) {
        let error = #expect(throws: TOMLError.self) { try TOMLParser.parse(invalidCase.document) }
        guard let error else { return }
        #expect(error.message.contains(invalidCase.message), "\(error)")
        #expect(error.position == TOMLPosition(line: invalidCase.line, column: invalidCase.column), "\(error)")
        #expect(error.description == "\(invalidCase.line):\(invalidCase.column): \(error.message)")
    }

    @Test func rejectsBytesThatAreNotUTF8WithTheirPosition() {
        let cases: [([UInt8], TOMLPosition)] = [
            (Array("a = \"".utf8) + [0xFF] + Array("\"\n".utf8), TOMLPosition(line: 1, column: 6)),
            (Array("a = 1\n# é ".utf8) + [0xC0, 0xAF], TOMLPosition(line: 2, column: 5)),  // overlong '/'
            (Array("s = '".utf8) + [0xED, 0xA0, 0x80] + Array("'".utf8), TOMLPosition(line: 1, column: 6)),  // a surrogate
            (Array("s = '".utf8) + [0xF4, 0x90, 0x80, 0x80] + Array("'".utf8), TOMLPosition(line: 1, column: 6)),  // above U+10FFFF
            (Array("s = 'é".utf8.dropLast()), TOMLPosition(line: 1, column: 6)),  // cut mid-character
        ]
        for (bytes, position) in cases {
            let error = #expect(throws: TOMLError.self) { try TOMLParser.parse(bytes) }
            #expect(error?.position == position, "\(String(describing: error))")
            #expect(error?.message.hasPrefix("invalid UTF-8") == true)
        }
    }

    @Test func toleratesALeadingByteOrderMarkAndCRLF() throws {
        let table = try TOMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a = 1\r\n[t]\r\nb = '''x\r\ny'''\r\n".utf8))
        #expect(table["a"] == .integer(1))
        #expect(table.entry("a")?.keyPosition == TOMLPosition(line: 1, column: 1))
        #expect(table["t"]?.table?["b"] == .string("x\ny"))
        #expect(table["t"]?.table?.position == TOMLPosition(line: 2, column: 1))
    }

    @Test func keepsFloatsAsTheirExactText() throws {
        let table = try TOMLParser.parse("a = 0.1\nb = 1_000.000_1e-1_0\nc = -inf\nd = nan\ne = +0.0\n")
        #expect(table["a"]?.float?.text == "0.1")
        #expect(table["b"]?.float?.text == "1000.0001e-10")
        #expect(table["c"]?.float?.kind == .infinity)
        #expect(table["c"]?.float?.isNegative == true)
        #expect(table["d"]?.float?.kind == .nan)
        #expect(table["e"]?.float == TOMLFloat(text: "+0.0", kind: .finite))
        #expect(table["a"]?.float?.doubleValue == 0.1)
    }

    @Test func validatesAndKeepsDateTimeParts() throws {
        let table = try TOMLParser.parse("a = 2000-02-29T23:59:59.123456789-23:59\nb = 0000-01-01\nc = 9999-12-31 00:00:00\n")
        guard case .dateTime(let a)? = table["a"] else { Issue.record("not a date-time"); return }
        #expect(a.date == TOMLDate(year: 2000, month: 2, day: 29))
        #expect(a.time.fraction == "123456789")
        #expect(a.offsetMinutes == -(23 * 60 + 59))
        #expect(a.description == "2000-02-29T23:59:59.123456789-23:59")
        #expect(table["b"] == .date(try #require(TOMLDate(year: 0, month: 1, day: 1))))
        #expect(table["c"]?.typeName == "a local date-time")
        #expect(TOMLDate(year: 2023, month: 2, day: 29) == nil)
        #expect(TOMLTime(hour: 23, minute: 59, second: 60) == nil)
    }
}

/// Positions, order and limits: what the config and pricing readers rely on.
@Suite struct PositionAndLimitTests {
    @Test func everyKeyHeaderAndValueHasItsLineAndColumn() throws {
        let table = try TOMLParser.parse("""
            title = "x"   # top
              [server]
            host.name = "h"
            ports = [ 80,
                      443 ]
            "é ü" = { inner = true }
            [[budgets]]
            name = "a"
            [[budgets]]
            """)
        #expect(table.entry("title")?.keyPosition == TOMLPosition(line: 1, column: 1))
        #expect(table.entry("title")?.valuePosition == TOMLPosition(line: 1, column: 9))
        let server = try #require(table["server"]?.table)
        #expect(server.position == TOMLPosition(line: 2, column: 3))
        #expect(table.entry("server")?.keyPosition == TOMLPosition(line: 2, column: 4))
        let host = try #require(server["host"]?.table)
        #expect(host.position == TOMLPosition(line: 3, column: 1))
        #expect(host.entry("name")?.keyPosition == TOMLPosition(line: 3, column: 6))
        #expect(host.entry("name")?.valuePosition == TOMLPosition(line: 3, column: 13))
        let ports = try #require(server["ports"]?.array)
        #expect(ports.position == TOMLPosition(line: 4, column: 9))
        #expect(ports.map(\.position) == [TOMLPosition(line: 4, column: 11), TOMLPosition(line: 5, column: 11)])
        // Columns count characters, not bytes.
        let inline = try #require(server.entry("é ü"))
        #expect(inline.valuePosition == TOMLPosition(line: 6, column: 9))
        #expect(inline.value.table?.entry("inner")?.keyPosition == TOMLPosition(line: 6, column: 11))
        let budgets = try #require(table["budgets"]?.array)
        #expect(budgets.isArrayOfTables)
        #expect(budgets.map(\.position.line) == [7, 9])
        #expect(budgets.first?.value.table?.entry("name")?.keyPosition.line == 8)
    }

    @Test func tablesKeepTheirKeysInWrittenOrder() throws {
        let table = try TOMLParser.parse("zeta = 1\nalpha = 2\n[middle]\nz = 1\na = 2\nm = 3\n[early.sub]\n[early]\nx = 1\n")
        #expect(table.keys == ["zeta", "alpha", "middle", "early"])
        #expect(table["middle"]?.table?.keys == ["z", "a", "m"])
        #expect(table["early"]?.table?.keys == ["sub", "x"])
        // An implicit table takes its position from the header that defines it.
        #expect(table["early"]?.table?.position.line == 8)
    }

    @Test func nestingIsBoundedSoNoInputCanExhaustTheStack() throws {
        let limit = TOMLParser.maximumDepth
        // 128 levels are fine; one more is an error, in arrays, inline tables and headers alike.
        #expect(throws: Never.self) { try TOMLParser.parse("a = " + String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) }
        let deepArray = #expect(throws: TOMLError.self) {
            try TOMLParser.parse("a = " + String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1))
        }
        #expect(deepArray?.isTooDeep == true)
        #expect(throws: Never.self) { try TOMLParser.parse("a = " + String(repeating: "{b = ", count: limit - 1) + "1" + String(repeating: "}", count: limit - 1)) }
        #expect((try? TOMLParser.parse("a = " + String(repeating: "{b = ", count: limit) + "1" + String(repeating: "}", count: limit))) == nil)
        let path = Array(repeating: "k", count: limit)
        #expect(throws: Never.self) { try TOMLParser.parse("[" + path.joined(separator: ".") + "]\n") }
        #expect(throws: Never.self) { try TOMLParser.parse(path.joined(separator: ".") + " = 1\n") }
        let deepHeader = #expect(throws: TOMLError.self) { try TOMLParser.parse("[" + (path + ["k"]).joined(separator: ".") + "]\n") }
        #expect(deepHeader?.isTooDeep == true)
        #expect((try? TOMLParser.parse((path + ["k"]).joined(separator: ".") + " = 1\n")) == nil)
        #expect((try? TOMLParser.parse("[[" + path.dropLast().joined(separator: ".") + "]]\nk = 1\n")) == nil)
        // Far past the limit: an error, not a crash.
        for text in ["a = " + String(repeating: "[", count: 100_000), String(repeating: "[", count: 100_000), "a = " + String(repeating: "{a = ", count: 100_000)] {
            #expect(throws: TOMLError.self) { try TOMLParser.parse(text) }
        }
    }

    @Test func errorsDescribeWhatWasFound() {
        let samples: [(String, String)] = [
            ("a = @\n", "'@'"), ("a = é\n", "'é'"), ("a = \n", "end of line"), ("a =", "end of file"),
            ("a = \u{1B}\n", "control character U+001B"), ("a = \r", "control character U+000D"),
        ]
        for (document, found) in samples {
            let error = #expect(throws: TOMLError.self) { try TOMLParser.parse(document) }
            #expect(error?.message.hasSuffix("found " + found) == true, "\(String(describing: error))")
        }
    }
}
