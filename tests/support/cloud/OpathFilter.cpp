// SPDX-License-Identifier: Apache-2.0
#include "OpathFilter.h"

#include <QCollator>
#include <QDateTime>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>
#include <QTimeZone>

#include <memory>
#include <optional>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

struct Token {
    enum class Kind { End, Open, Close, Operator, Quoted, Variable, Word } kind = Kind::End;
    QString text; // the operator lower-cased without '-', the quoted text unescaped, the word or variable name
    qsizetype position = 0;
};

enum class Op { Eq, Ne, Like, NotLike, Lt, Le, Gt, Ge };

bool isDateProperty(const QString& name)
{
    static const QStringList dates{u"WhenChangedUTC"_s, u"WhenChanged"_s, u"WhenCreatedUTC"_s, u"WhenCreated"_s};
    return dates.contains(name, Qt::CaseInsensitive);
}

// A date as Exchange Online's REST answers write it ("2026-12-07T06:30:00.1230000Z", UTC), in milliseconds (finer
// fractions cut), read by hand from its fixed positions; nullopt when the text is not in that form. Every mailbox's
// date is read for each new filter, and QDateTime::fromString (a time-zone lookup each) made the emulator, not the
// client, the cost of an incremental rescan (cloud-incremental's measurement).
std::optional<qint64> exchangeUtcMsecs(const QString& text)
{
    const auto number = [&text](qsizetype at, qsizetype digits) {
        int value = 0;
        for (qsizetype i = at; i < at + digits; ++i) {
            if (i >= text.size() || !text.at(i).isDigit())
                return -1;
            value = value * 10 + text.at(i).digitValue();
        }
        return value;
    };
    if (text.size() < 20 || text.at(4) != u'-' || text.at(10) != u'T' || !text.endsWith(u'Z'))
        return std::nullopt;
    const QDate date(number(0, 4), number(5, 2), number(8, 2));
    const QTime time(number(11, 2), number(14, 2), number(17, 2));
    if (!date.isValid() || date.year() < 1 || !time.isValid())
        return std::nullopt;
    qint64 msecs = (date.toJulianDay() - QDate(1970, 1, 1).toJulianDay()) * 86400000LL + time.msecsSinceStartOfDay();
    if (text.at(19) == u'.') {
        int fraction = 0;
        for (qsizetype i = 20; i < 23; ++i)
            fraction = fraction * 10 + (i < text.size() && text.at(i).isDigit() ? text.at(i).digitValue() : 0);
        msecs += fraction;
    } else if (text.size() != 20) {
        return std::nullopt;
    }
    return msecs;
}

// A date as Exchange accepts it in a filter: ISO 8601, or the en-US form PowerShell prints [documented: the
// filter docs' examples use 'MM/dd/yyyy' and ISO alike].
std::optional<QDateTime> parseDate(const QString& text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    for (const QString& format : {u"M/d/yyyy h:mm:ss AP"_s, u"M/d/yyyy H:mm:ss"_s, u"M/d/yyyy"_s}) {
        if (t.isValid())
            break;
        t = QLocale(QLocale::English, QLocale::UnitedStates).toDateTime(text, format);
        if (t.isValid())
            t.setTimeZone(QTimeZone::utc());
    }
    if (!t.isValid())
        return std::nullopt;
    return t.toUTC();
}

class Parser final {
public:
    Parser(const QString& text, OpathFilter::Collation collation)
        : m_text(text)
        , m_collation(collation)
    {
        if (collation == OpathFilter::Collation::Culture) {
            m_collator = std::make_shared<QCollator>(QLocale(QLocale::English, QLocale::UnitedStates));
            m_collator->setCaseSensitivity(Qt::CaseInsensitive);
        }
    }

    OpathFilter::Parsed parse()
    {
        advance();
        OpathFilter::Predicate predicate = orExpression();
        if (m_error.isEmpty() && m_token.kind != Token::Kind::End)
            syntaxError();
        if (!m_error.isEmpty())
            return {{}, m_error};
        return {std::move(predicate), {}};
    }

private:
    void syntaxError()
    {
        if (!m_error.isEmpty())
            return;
        // Exchange's text for a filter it cannot parse [observed], with the 1-based position of the token.
        m_error = u"Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"Invalid filter "
                  "syntax. For a description of the filter parameter syntax see the command help.\n\"%1\" at "
                  "position %2.\""_s.arg(m_text, QString::number(m_token.position + 1));
    }

    void advance()
    {
        qsizetype i = m_pos;
        while (i < m_text.size() && m_text[i].isSpace())
            ++i;
        m_token = Token{};
        m_token.position = i;
        if (i >= m_text.size()) {
            m_pos = i;
            return;
        }
        const QChar c = m_text[i];
        if (c == u'(' || c == u')') {
            m_token.kind = c == u'(' ? Token::Kind::Open : Token::Kind::Close;
            m_pos = i + 1;
            return;
        }
        if (c == u'\'' || c == u'"') {
            // A quote inside is doubled ('O''Brien'), as in PowerShell [documented].
            QString value;
            qsizetype j = i + 1;
            for (;;) {
                if (j >= m_text.size()) {
                    m_token.kind = Token::Kind::End;
                    m_pos = m_text.size();
                    syntaxError(); // unclosed quote
                    return;
                }
                if (m_text[j] == c) {
                    if (j + 1 < m_text.size() && m_text[j + 1] == c) {
                        value += c;
                        j += 2;
                        continue;
                    }
                    break;
                }
                value += m_text[j++];
            }
            m_token.kind = Token::Kind::Quoted;
            m_token.text = value;
            m_pos = j + 1;
            return;
        }
        qsizetype j = i + 1;
        while (j < m_text.size() && !m_text[j].isSpace() && m_text[j] != u'(' && m_text[j] != u')')
            ++j;
        const QString word = m_text.mid(i, j - i);
        m_pos = j;
        if (c == u'-' && word.size() > 1 && word[1].isLetter()) {
            m_token.kind = Token::Kind::Operator;
            m_token.text = word.mid(1).toLower();
        } else if (c == u'$') {
            m_token.kind = Token::Kind::Variable;
            m_token.text = word.mid(1).toLower();
        } else {
            m_token.kind = Token::Kind::Word;
            m_token.text = word;
        }
    }

    bool isOperator(QLatin1StringView name) const
    {
        return m_token.kind == Token::Kind::Operator && m_token.text == name;
    }

    OpathFilter::Predicate orExpression()
    {
        OpathFilter::Predicate left = andExpression();
        while (m_error.isEmpty() && isOperator("or"_L1)) {
            advance();
            OpathFilter::Predicate right = andExpression();
            left = [left, right](const OpathFilter::Properties& p) { return left(p) || right(p); };
        }
        return left;
    }

    OpathFilter::Predicate andExpression()
    {
        OpathFilter::Predicate left = unary();
        while (m_error.isEmpty() && isOperator("and"_L1)) {
            advance();
            OpathFilter::Predicate right = unary();
            left = [left, right](const OpathFilter::Properties& p) { return left(p) && right(p); };
        }
        return left;
    }

    OpathFilter::Predicate unary()
    {
        if (!m_error.isEmpty())
            return {};
        if (isOperator("not"_L1)) {
            advance();
            OpathFilter::Predicate inner = unary();
            return [inner](const OpathFilter::Properties& p) { return !inner(p); };
        }
        if (m_token.kind == Token::Kind::Open) {
            advance();
            OpathFilter::Predicate inner = orExpression();
            if (m_token.kind != Token::Kind::Close) {
                syntaxError();
                return {};
            }
            advance();
            return inner;
        }
        return comparison();
    }

    OpathFilter::Predicate comparison()
    {
        if (m_token.kind != Token::Kind::Word) {
            syntaxError();
            return {};
        }
        const QString property = m_token.text;
        advance();
        static const QHash<QString, Op> ops{{u"eq"_s, Op::Eq},     {u"ne"_s, Op::Ne},     {u"like"_s, Op::Like},
                                             {u"notlike"_s, Op::NotLike}, {u"lt"_s, Op::Lt}, {u"le"_s, Op::Le},
                                             {u"gt"_s, Op::Gt},     {u"ge"_s, Op::Ge}};
        if (m_token.kind != Token::Kind::Operator || !ops.contains(m_token.text)) {
            syntaxError();
            return {};
        }
        const Op op = ops.value(m_token.text);
        advance();
        std::optional<QString> value; // nullopt: $null
        bool isBool = false;
        if (m_token.kind == Token::Kind::Quoted || m_token.kind == Token::Kind::Word) {
            value = m_token.text;
        } else if (m_token.kind == Token::Kind::Variable && m_token.text == "null"_L1) {
            value = std::nullopt;
        } else if (m_token.kind == Token::Kind::Variable && (m_token.text == "true"_L1 || m_token.text == "false"_L1)) {
            value = m_token.text;
            isBool = true;
        } else {
            syntaxError();
            return {};
        }
        advance();
        return compare(property, op, value, isBool);
    }

    OpathFilter::Predicate compare(const QString& property, Op op, const std::optional<QString>& value, bool isBool)
    {
        if (!value) { // $null: only -eq and -ne mean something
            if (op != Op::Eq && op != Op::Ne) {
                syntaxError();
                return {};
            }
            return [property, op](const OpathFilter::Properties& p) {
                const QJsonValue v = p(property);
                const bool null = v.isNull() || v.isUndefined() || (v.isString() && v.toString().isEmpty());
                return op == Op::Eq ? null : !null;
            };
        }
        if (isBool) {
            const bool wanted = *value == "true"_L1;
            return [property, op, wanted](const OpathFilter::Properties& p) {
                const QJsonValue v = p(property);
                const bool is = v.isBool() ? v.toBool() : v.toString().compare("true"_L1, Qt::CaseInsensitive) == 0;
                return op == Op::Ne ? is != wanted : is == wanted;
            };
        }
        if (isDateProperty(property) && op != Op::Like && op != Op::NotLike) {
            const std::optional<QDateTime> when = parseDate(*value);
            if (!when) {
                m_error = u"Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"The value "
                          "\"%1\" could not be converted to type System.DateTime.\""_s.arg(*value);
                return {};
            }
            const qint64 wanted = when->toMSecsSinceEpoch();
            return [property, op, wanted](const OpathFilter::Properties& p) {
                const QString text = p(property).toString();
                std::optional<qint64> have = exchangeUtcMsecs(text);
                if (!have) {
                    const std::optional<QDateTime> parsed = parseDate(text);
                    if (!parsed)
                        return op == Op::Ne;
                    have = parsed->toMSecsSinceEpoch();
                }
                return ordered(op, *have < wanted ? -1 : *have > wanted);
            };
        }
        if (op == Op::Like || op == Op::NotLike) {
            // Only * is a wildcard in OPATH [documented]; everything else matches itself.
            QStringList parts = value->split(u'*');
            for (QString& part : parts)
                part = QRegularExpression::escape(part);
            const QString pattern = parts.join(u".*"_s);
            const QRegularExpression re(QRegularExpression::anchoredPattern(pattern),
                                        QRegularExpression::CaseInsensitiveOption |
                                            QRegularExpression::DotMatchesEverythingOption);
            return [property, op, re](const OpathFilter::Properties& p) {
                const QJsonValue v = p(property);
                const bool matched = (v.isString() || v.isDouble()) && re.match(v.toVariant().toString()).hasMatch();
                return op == Op::Like ? matched : !matched;
            };
        }
        const QString wanted = *value;
        const OpathFilter::Collation collation = m_collation;
        const std::shared_ptr<QCollator> collator = m_collator;
        return [property, op, wanted, collation, collator](const OpathFilter::Properties& p) {
            const QJsonValue v = p(property);
            if (v.isNull() || v.isUndefined())
                return op == Op::Ne;
            const QString have = v.isString() ? v.toString() : v.toVariant().toString();
            int c = 0;
            switch (collation) {
            case OpathFilter::Collation::Ordinal:
                c = have.compare(wanted, Qt::CaseSensitive);
                break;
            case OpathFilter::Collation::IgnoreCase:
                c = have.compare(wanted, Qt::CaseInsensitive);
                break;
            case OpathFilter::Collation::Culture:
                c = collator->compare(have, wanted);
                break;
            }
            return ordered(op, c < 0 ? -1 : c > 0);
        };
    }

    static bool ordered(Op op, int c)
    {
        switch (op) {
        case Op::Eq:
            return c == 0;
        case Op::Ne:
            return c != 0;
        case Op::Lt:
            return c < 0;
        case Op::Le:
            return c <= 0;
        case Op::Gt:
            return c > 0;
        case Op::Ge:
            return c >= 0;
        case Op::Like:
        case Op::NotLike:
            break;
        }
        return false;
    }

    const QString& m_text;
    OpathFilter::Collation m_collation;
    std::shared_ptr<QCollator> m_collator;
    qsizetype m_pos = 0;
    Token m_token;
    QString m_error;
};

} // namespace

OpathFilter::Parsed OpathFilter::parse(const QString& filter, Collation collation)
{
    if (filter.trimmed().isEmpty())
        return {[](const Properties&) { return true; }, {}};
    return Parser(filter, collation).parse();
}

} // namespace sunset
