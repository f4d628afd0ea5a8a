@testable import ArbiterReview
import Testing

@Suite("Lexer")
struct LexerTests {
    /// The text with comment bytes shown as `#`-free `C`, string bytes as `S`, code as itself.
    func shape(_ text: String, _ language: Language) -> String {
        let bytes = Array(text.utf8)
        let regions = Lexer(language: language).regions(of: bytes)
        return String(decoding: zip(bytes, regions).map { byte, region in
            region == Region.comment.rawValue ? UInt8(ascii: "C") : region == Region.string.rawValue ? UInt8(ascii: "S") : byte
        }, as: UTF8.self)
    }

    @Test("C-family comments and strings; an opening quote counts as code")
    func cFamily() {
        #expect(shape(#"a("x//y"); // z"#, .javascript) == #"a("SSSSS); CCCC"#)
        #expect(shape("a /* b\nc */ d", .java) == "a CCCCCCCCC d")
        #expect(shape(#"s = 'it\'s' + "q""#, .c) == #"s = 'SSSSSS + "SS"#)
    }

    @Test("Python: hash comments, triple-quoted strings over lines, no block comments")
    func python() {
        #expect(shape(##"x = "#" # c"##, .python) == ##"x = "SS CCC"##)
        #expect(shape("s = '''a\n#b'''\ny", .python) == "s = '''SSSSSSS\ny")
        #expect(shape("a / 2 /* not a comment */", .python) == "a / 2 /* not a comment */")
    }

    @Test("Swift block comments nest; Go raw strings ignore backslashes; JS templates span lines")
    func nesting() {
        #expect(shape("/* a /* b */ c */ d", .swift) == "CCCCCCCCCCCCCCCCC d")
        #expect(shape(#"s := `a\` + b"#, .go) == #"s := `SSS + b"#)
        #expect(shape("t = `a\n${b}`;", .javascript) == "t = `SSSSSSS;")
    }

    @Test("Ruby =begin/=end blocks; PHP has both comment styles")
    func rubyAndPHP() {
        #expect(shape("=begin\nsystem(x)\n=end\ny", .ruby) == "CCCCCCCCCCCCCCCCCCCCC\ny")
        #expect(shape("$a = 1; # c\n// d", .php) == "$a = 1; CCC\nCCCC")
    }

    @Test("an unterminated string stops at the end of its line")
    func unterminated() {
        #expect(shape("a = \"open\nb = 1", .java) == "a = \"SSSS\nb = 1")
    }
}
