// SPDX-License-Identifier: Apache-2.0
#include "TestJsonPullParser.h"

#include "JsonPullParser.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;
using Token = JsonPullParser::Token;

namespace {

// Every token of a document as compact text ("{ k:a s:x ] ..."), or "ERR" at the first error.
QByteArray tokens(QByteArrayView json)
{
    JsonPullParser p(json, u"t.json"_s);
    QByteArray out;
    for (;;) {
        const Token t = p.next();
        switch (t) {
        case Token::BeginObject:
            out += "{ ";
            break;
        case Token::EndObject:
            out += "} ";
            break;
        case Token::BeginArray:
            out += "[ ";
            break;
        case Token::EndArray:
            out += "] ";
            break;
        case Token::Key:
            out += "k:" + p.text().toByteArray() + ' ';
            break;
        case Token::String:
            out += "s:" + p.text().toByteArray() + ' ';
            break;
        case Token::Number:
            out += "n:" + p.text().toByteArray() + ' ';
            break;
        case Token::True:
            out += "true ";
            break;
        case Token::False:
            out += "false ";
            break;
        case Token::Null:
            out += "null ";
            break;
        case Token::EndOfInput:
            return out.trimmed();
        case Token::Error:
            return "ERR";
        case Token::None:
            return "NONE";
        }
    }
}

// Runs the parser to the end and returns its error (an empty message when there was none).
ImportError errorOf(QByteArrayView json)
{
    JsonPullParser p(json, u"t.json"_s);
    for (int guard = 0; guard < 1000000; ++guard) {
        const Token t = p.next();
        if (t == Token::EndOfInput)
            return {};
        if (t == Token::Error)
            return p.error();
    }
    return ImportError{{}, 0, {}, u"parser did not stop"_s};
}

} // namespace

void TestJsonPullParser::tokenSequence()
{
    QCOMPARE(tokens(R"({"a":[1,-2.5e3,true,false,null],"b":{},"c":[]})"),
             QByteArray("{ k:a [ n:1 n:-2.5e3 true false null ] k:b { } k:c [ ] }"));
    QCOMPARE(tokens(" \"top\" \n"), QByteArray("s:top"));
    QCOMPARE(tokens("0"), QByteArray("n:0"));
}

void TestJsonPullParser::escapes()
{
    QCOMPARE(tokens(R"(["a\"b\\c\/d\b\f\n\r\t"])"), QByteArray("[ s:a\"b\\c/d\b\f\n\r\t ]"));
    // \u escapes: BMP, non-ASCII, a surrogate pair (U+1F600), mixed with raw UTF-8.
    QCOMPARE(tokens(R"(["\u0041\u00fc\u4E2D", "\ud83d\ude00x", "Müller\u0021"])"),
             QByteArray("[ s:Aü中 s:\xF0\x9F\x98\x80x s:Müller! ]"));
}

void TestJsonPullParser::escapedKeyStaysValidForPath()
{
    JsonPullParser p(R"({"a\u0062c":["x\ny", 5]})", u"t.json"_s);
    QCOMPARE(p.next(), Token::BeginObject);
    QCOMPARE(p.next(), Token::Key);
    QCOMPARE(p.text(), QByteArrayView("abc"));
    QCOMPARE(p.next(), Token::BeginArray);
    QCOMPARE(p.next(), Token::String); // reuses the scratch buffer the key was decoded into
    QCOMPARE(p.next(), Token::Number);
    QCOMPARE(p.path(), u"$.abc[1]"_s);
    QCOMPARE(p.integer(), std::optional<qint64>(5));
}

void TestJsonPullParser::plainStringsAreViewsIntoTheInput()
{
    const QByteArray json = R"(["plain"])";
    JsonPullParser p(json, u"t.json"_s);
    p.next();
    p.next();
    QVERIFY(p.text().data() >= json.constData() && p.text().data() < json.constData() + json.size());
}

void TestJsonPullParser::surrogateErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("lone high") << QByteArray(R"(["\ud83d"])") << u"lone UTF-16 high surrogate"_s;
    QTest::newRow("high then text") << QByteArray(R"(["\ud83dabc"])") << u"lone UTF-16 high surrogate"_s;
    QTest::newRow("high then high") << QByteArray(R"(["\ud83d\ud83d"])") << u"lone UTF-16 high surrogate"_s;
    QTest::newRow("lone low") << QByteArray(R"(["\ude00"])") << u"lone UTF-16 low surrogate"_s;
    QTest::newRow("bad hex") << QByteArray(R"(["\u12G4"])") << u"four hex digits"_s;
    QTest::newRow("bad escape") << QByteArray(R"(["\x41"])") << u"invalid escape"_s;
}

void TestJsonPullParser::surrogateErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, phrase);
    const ImportError e = errorOf(json);
    QVERIFY2(e.message.contains(phrase), qPrintable(e.message));
    QCOMPARE(e.jsonPath, u"$[0]"_s);
    QCOMPARE(e.file, u"t.json"_s);
}

void TestJsonPullParser::nestingLimit()
{
    const QByteArray ok = QByteArray(64, '[') + QByteArray(64, ']');
    QCOMPARE(errorOf(ok).message, QString());
    const QByteArray deep = QByteArray(65, '[') + QByteArray(65, ']');
    const ImportError e = errorOf(deep);
    QVERIFY2(e.message.contains(u"nested deeper than 64"_s), qPrintable(e.message));
    // A hostile depth does not recurse: a million brackets fail fast at the limit.
    QVERIFY(errorOf(QByteArray(1000000, '[')).message.contains(u"nested deeper"_s));
}

void TestJsonPullParser::truncatedInput_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("in array") << QByteArray("[{\"a\":1},\n{\"b\":2}") << u"$[1]"_s << u"the end of the input"_s;
    QTest::newRow("in string") << QByteArray("[\"abc") << u"$[0]"_s << u"not closed"_s;
    QTest::newRow("after key") << QByteArray("{\"a\":") << u"$.a"_s << u"expected a value"_s;
    QTest::newRow("after colon-less key") << QByteArray("{\"a\"") << u"$.a"_s << u"':'"_s;
    QTest::newRow("in escape") << QByteArray("[\"a\\") << u"$[0]"_s << u"not closed"_s;
    QTest::newRow("in \\u") << QByteArray("[\"\\u00") << u"$[0]"_s << u"four hex digits"_s;
    QTest::newRow("in literal") << QByteArray("[tru") << u"$[0]"_s << u"expected a value"_s;
    QTest::newRow("number") << QByteArray("[1.") << u"$[0]"_s << u"invalid number"_s;
    QTest::newRow("empty") << QByteArray("") << u"$"_s << u"the end of the input"_s;
    QTest::newRow("only BOM") << QByteArray("\xEF\xBB\xBF") << u"$"_s << u"the end of the input"_s;
}

void TestJsonPullParser::truncatedInput()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, path);
    QFETCH(QString, phrase);
    const ImportError e = errorOf(json);
    QVERIFY2(e.message.contains(phrase), qPrintable(e.message));
    QCOMPARE(e.jsonPath, path);
}

void TestJsonPullParser::truncatedSaysSo()
{
    const ImportError e = errorOf("[{\"a\":1},\n{\"b\":2}");
    QCOMPARE(e.message, u"expected ',' or ']', found the end of the input (the file may be truncated)"_s);
    QCOMPARE(e.line, 2);
}

void TestJsonPullParser::htmlErrorPage()
{
    const ImportError e = errorOf("<!DOCTYPE html>\n<html><body>Sign in</body></html>");
    QVERIFY2(e.message.contains(u"HTML"_s), qPrintable(e.message));
    QVERIFY(e.message.startsWith(u"expected a value"_s));
    QCOMPARE(e.line, 1);
    QCOMPARE(e.jsonPath, u"$"_s);
}

void TestJsonPullParser::trailingGarbage()
{
    const ImportError e = errorOf("[1,2]\n\n  x");
    QVERIFY2(e.message.contains(u"nothing after the end of the JSON value, found 'x'"_s), qPrintable(e.message));
    QCOMPARE(e.line, 3);
    QVERIFY(errorOf("[1]]").message.contains(u"found ']'"_s));
    QVERIFY(errorOf("{} {}").message.contains(u"nothing after"_s));
    QCOMPARE(errorOf("[1]  \r\n\t ").message, QString()); // trailing whitespace is fine
}

void TestJsonPullParser::nulBytes()
{
    const QByteArray inString("[\"ab\0cd\"]", 9);
    QVERIFY(errorOf(inString).message.contains(u"NUL byte"_s));
    const QByteArray between("[1,\0 2]", 7);
    QVERIFY(errorOf(between).message.contains(u"NUL byte"_s));
    const QByteArray utf16le("[\0\"\0a\0\"\0]\0", 10);
    QVERIFY(errorOf(utf16le).message.contains(u"NUL byte"_s));
}

void TestJsonPullParser::otherSyntaxErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("trailing comma array") << QByteArray("[1,]") << u"expected a value"_s;
    QTest::newRow("trailing comma object") << QByteArray("{\"a\":1,}") << u"member name in double quotes"_s;
    QTest::newRow("single quotes") << QByteArray("{'a':1}") << u"found '''"_s;
    QTest::newRow("leading zero") << QByteArray("[012]") << u"found '1'"_s;
    QTest::newRow("raw newline in string") << QByteArray("[\"a\nb\"]") << u"line break inside a string"_s;
    QTest::newRow("control char") << QByteArray("[\"a\tb\"]") << u"control character (0x09)"_s;
    QTest::newRow("latin1 byte") << QByteArray("[\"M\xFCller\"]") << u"invalid UTF-8"_s;
    QTest::newRow("overlong") << QByteArray("[\"\xC0\xAF\"]") << u"invalid UTF-8"_s;
    QTest::newRow("encoded surrogate") << QByteArray("[\"\xED\xA0\x80\"]") << u"invalid UTF-8"_s;
    QTest::newRow("cut sequence") << QByteArray("[\"\xE4\xB8") << u"invalid UTF-8"_s;
    QTest::newRow("utf16 bom") << QByteArray("\xFF\xFE[\0") << u"UTF-16 byte order mark"_s;
    QTest::newRow("NaN") << QByteArray("[NaN]") << u"expected a value"_s;
    QTest::newRow("missing comma") << QByteArray("[1 2]") << u"expected ',' or ']', found '2'"_s;
}

void TestJsonPullParser::otherSyntaxErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, phrase);
    const ImportError e = errorOf(json);
    QVERIFY2(e.message.contains(phrase), qPrintable(e.message));
}

void TestJsonPullParser::errorIsSticky()
{
    JsonPullParser p("[x]", u"t.json"_s);
    p.next();
    QCOMPARE(p.next(), Token::Error);
    QCOMPARE(p.next(), Token::Error);
    QVERIFY(!p.skipValue());
}

void TestJsonPullParser::pathAndLineInErrors()
{
    const QByteArray json = "[\n {\"a\": 1},\n {\"EmailAddresses\": [\"x\",\n  \"y\", \"z\n\"]}]";
    const ImportError e = errorOf(json);
    QCOMPARE(e.jsonPath, u"$[1].EmailAddresses[2]"_s);
    QCOMPARE(e.line, 4);
    QVERIFY(e.toString().startsWith(u"t.json:4 at $[1].EmailAddresses[2]: "_s));

    const ImportError odd = errorOf(R"({"odd key": [tru]})");
    QCOMPARE(odd.jsonPath, uR"($["odd key"][0])"_s);
}

void TestJsonPullParser::unexpectedDescribesToken()
{
    JsonPullParser p(R"({"EmailAddresses": 42})", u"t.json"_s);
    p.next();
    p.next();
    p.next();
    const ImportError e = p.unexpected("a string or an array of strings"_L1);
    QCOMPARE(e.message, u"expected a string or an array of strings, found a number"_s);
    QCOMPARE(e.jsonPath, u"$.EmailAddresses"_s);
    QCOMPARE(e.line, 1);
}

void TestJsonPullParser::skipValue()
{
    JsonPullParser p(R"({"skip": {"a": [1, {"b": "c\"]"}], "d": null}, "keep": "yes", "s": 5})", u"t.json"_s);
    QCOMPARE(p.next(), Token::BeginObject);
    QCOMPARE(p.next(), Token::Key);
    QVERIFY(p.skipValue()); // after a Key: skips the member's value
    QCOMPARE(p.token(), Token::EndObject);
    QCOMPARE(p.depth(), 1);
    QCOMPARE(p.next(), Token::Key);
    QCOMPARE(p.text(), QByteArrayView("keep"));
    QCOMPARE(p.next(), Token::String);
    QVERIFY(p.skipValue()); // a scalar is already complete
    QCOMPARE(p.next(), Token::Key);
    QCOMPARE(p.next(), Token::Number);
    QCOMPARE(p.next(), Token::EndObject);
    QCOMPARE(p.next(), Token::EndOfInput);

    JsonPullParser bad(R"([{"a": [1, 2}], 3])", u"t.json"_s);
    bad.next();
    bad.next();
    QVERIFY(!bad.skipValue());
    QVERIFY(bad.error().message.contains(u"expected ',' or ']', found '}'"_s));
}

void TestJsonPullParser::bomIsSkipped()
{
    QCOMPARE(tokens("\xEF\xBB\xBF[\"a\"]"), QByteArray("[ s:a ]"));
}

void TestJsonPullParser::integers()
{
    JsonPullParser p("[9223372036854775807, 1.5, 1e3, -7, 99999999999999999999]", u"t.json"_s);
    p.next();
    p.next();
    QCOMPARE(p.integer(), std::optional<qint64>(9223372036854775807LL));
    p.next();
    QCOMPARE(p.integer(), std::nullopt);
    p.next();
    QCOMPARE(p.integer(), std::nullopt);
    p.next();
    QCOMPARE(p.integer(), std::optional<qint64>(-7));
    p.next();
    QCOMPARE(p.integer(), std::nullopt);
}

void TestJsonPullParser::randomGarbageNeverHangs()
{
    // Deterministic pseudo-random inputs built from JSON-ish bytes: the parser must stop on each.
    const QByteArray alphabet = "{}[]\":,\\u0aZ \n\t-.eE1tfn\x00\xC3\xBC\xF0"_ba;
    quint32 seed = 12345;
    for (int round = 0; round < 3000; ++round) {
        QByteArray input;
        const int length = int(seed % 64);
        for (int i = 0; i < length; ++i) {
            seed = seed * 1103515245u + 12345u;
            input += alphabet[qsizetype((seed >> 16) % quint32(alphabet.size()))];
        }
        const ImportError e = errorOf(input);
        QVERIFY(e.message != u"parser did not stop"_s);
    }
}

QTEST_GUILESS_MAIN(TestJsonPullParser)
