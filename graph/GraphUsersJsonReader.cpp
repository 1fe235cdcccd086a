// SPDX-License-Identifier: Apache-2.0
#include "GraphUsersJsonReader.h"

#include "InputEncoding.h"
#include "JsonPullParser.h"
#include "StreamingJsonReader.h"

#include <optional>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {


constexpr qsizetype kMaxValueBytes = qsizetype(1) << 20; // as CloudRecordMapper::kMaxValueBytes

bool keyIs(QByteArrayView key, const char* name)
{
    return key.compare(name, Qt::CaseInsensitive) == 0;
}

// Walks saved Graph /users pages and keeps the four fields that join mailboxes to their on-premises anchors.
class GraphUsersJsonReader final : private StreamingJsonReader {
public:
    GraphUsersJsonReader(QByteArrayView data, const QString& fileName, const ReadProgress& progress)
        : StreamingJsonReader(data, fileName, progress)
    {
        m_directory.source = fileName;
    }

    Result<GraphDirectory> read()
    {
        const Token first = m_parser.next();
        bool ok = false;
        if (first == Token::BeginObject) {
            ok = readPageOrUser();
        } else if (first == Token::BeginArray) {
            ok = readArray("a user object or a page of users"_L1);
        } else if (first == Token::Error) {
            ok = failParser();
        } else {
            ok = fail(m_parser.unexpected("a page of users, an array of users or an array of pages"_L1));
        }
        if (!ok || !finishInput())
            return *m_error;
        return std::move(m_directory);
    }

private:
    // After '[': users, or pages (each page object is told apart from a user by its "value" array).
    bool readArray(QLatin1StringView expected)
    {
        for (;;) {
            const Token t = m_parser.next();
            if (t == Token::EndArray)
                return true;
            if (t == Token::Error)
                return failParser();
            if (t != Token::BeginObject)
                return fail(m_parser.unexpected(expected));
            if (!readPageOrUser() || !reportProgress())
                return false;
        }
    }

    // After '{'. A user has no "value" member; a page has a "value" array. Fields read before that array are
    // dropped when the object turns out to be a page.
    bool readPageOrUser()
    {
        const qint64 startLine = m_parser.line();
        GraphUser user;
        bool isPage = false;
        bool removed = false;
        for (;;) {
            const Token t = m_parser.next();
            if (t == Token::EndObject)
                break;
            if (t == Token::Error)
                return failParser();
            const QByteArrayView key = m_parser.text();
            QByteArray* field = nullptr;
            if (!isPage && keyIs(key, "value")) {
                const Token v = m_parser.next();
                if (v == Token::BeginArray) {
                    isPage = true;
                    if (!readArray("a user object"_L1))
                        return false;
                    continue;
                }
                if (v == Token::Error || !m_parser.skipValue())
                    return failParser();
                continue;
            }
            if (!isPage) {
                if (keyIs(key, "id"))
                    field = &user.id;
                else if (keyIs(key, "userPrincipalName"))
                    field = &user.userPrincipalName;
                else if (keyIs(key, "onPremisesImmutableId"))
                    field = &user.onPremisesImmutableId;
                else if (keyIs(key, "onPremisesSecurityIdentifier"))
                    field = &user.onPremisesSecurityIdentifier;
                else if (keyIs(key, "@removed"))
                    removed = true; // a deleted user in a saved delta page
            }
            if (!field) {
                if (!m_parser.skipValue())
                    return failParser();
                continue;
            }
            const Token v = m_parser.next();
            if (v == Token::String && m_parser.text().size() > kMaxValueBytes) {
                // Graph's longest values here are a UPN (113 characters) and a GUID; 1 MiB is a damaged page.
                const QString name = user.id.isEmpty() ? u"this user"_s : u"user "_s + QString::fromUtf8(user.id);
                return fail(m_parser.errorHere(u"%1 has a value of %2 bytes, more than the %3 MiB limit per value; "
                                               "the saved file or the service answer is damaged"_s.arg(
                                                   name, QString::number(m_parser.text().size()),
                                                   QString::number(kMaxValueBytes >> 20))));
            }
            if (v == Token::String)
                *field = m_parser.text().toByteArray();
            else if (v == Token::Error)
                return failParser();
            else if (v != Token::Null)
                return fail(m_parser.unexpected("a string or null"_L1));
        }
        if (isPage || removed)
            return true;
        if (user.id.isEmpty()) {
            ImportError error = m_parser.errorHere(u"user has no \"id\"; save the users with $select including id"_s);
            error.line = startLine;
            return fail(error);
        }
        user.id = user.id.toLower(); // = ExternalDirectoryObjectId, which is compared lower-case
        const QByteArray id = user.id;
        m_directory.usersById.insert(id, std::move(user));
        return true;
    }

    GraphDirectory m_directory;
};

} // namespace

Result<GraphDirectory> readGraphUsersJson(QByteArrayView data, const QString& fileName, const ReadProgress& progress)
{
    QByteArray converted;
    const QByteArrayView utf8 = utf8Input(data, converted);
    return GraphUsersJsonReader(utf8, fileName, progress).read();
}

} // namespace sunset
